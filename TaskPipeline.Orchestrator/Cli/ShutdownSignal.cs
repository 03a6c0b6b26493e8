using System.Runtime.InteropServices;

namespace TaskPipeline.AppHost.Cli;

/// <summary>
/// Ctrl+C, SIGTERM and SIGHUP as one cancellation token. The default reaction (the runtime ending the process) is
/// cancelled, so the AppHost can stop its children in order before it exits.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource requested = new();
    private readonly PosixSignalRegistration[] registrations;

    public ShutdownSignal()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    public CancellationToken Token => requested.Token;

    public bool IsRequested => requested.IsCancellationRequested;

    /// <summary>Completes when a stop is requested.</summary>
    public Task WaitAsync() => Task.Delay(Timeout.Infinite, requested.Token).ContinueWith(
        static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        requested.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Request();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Request();
    }

    private void Request()
    {
        if (!requested.IsCancellationRequested)
        {
            // The handlers run on a signal thread; the stop itself runs where the token is awaited.
            _ = Task.Run(requested.Cancel);
        }
    }
}
