using System.ComponentModel;
using System.Diagnostics;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// A process the AppHost started: its stdout and stderr go line by line to its <see cref="ResourceLog"/>, and it can
/// be asked to stop with a signal, then killed.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    // Output still flowing after the process exited comes from a grandchild that inherited the pipe; don't wait forever.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly string? Setsid = Executables.Find("setsid");

    private readonly Process process;
    private readonly Task exited;
    private int exitCode;

    private ChildProcess(Process process, ResourceLog log)
    {
        this.process = process;
        Pid = process.Id;
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, log), PumpAsync(process.StandardError, log));
        exited = WaitForExitAndDrainAsync(process, pumps);
    }

    public int Pid { get; }

    public bool HasExited => exited.IsCompleted;

    /// <summary>Completes once the process has exited and its output has been read.</summary>
    public Task Exited => exited;

    /// <summary>The exit code (128 + signal when a signal ended it); only after <see cref="Exited"/>.</summary>
    public int ExitCode => HasExited ? exitCode : throw new InvalidOperationException("the process has not exited");

    /// <summary>
    /// Starts the process in a session of its own (via setsid, which execs without forking, so <see cref="Pid"/> is the
    /// program itself): Ctrl+C in the terminal then reaches only the AppHost, which stops the children in order.
    /// </summary>
    public static ChildProcess Start(ProcessStartInfo startInfo, ResourceLog log, bool ownSession = true)
    {
        if (ownSession && Setsid is not null)
        {
            startInfo.ArgumentList.Insert(0, startInfo.FileName);
            startInfo.FileName = Setsid;
        }

        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        // A child reading (or reconfiguring) the AppHost's terminal would fight with it; children get no input.
        startInfo.RedirectStandardInput = true;

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            throw new PipelineStartException($"{log.Label}: cannot start {startInfo.FileName}: {exception.Message}", null, exception);
        }

        process.StandardInput.Close();
        return new ChildProcess(process, log);
    }

    /// <summary>Sends a signal; false when the process is already gone.</summary>
    public bool Signal(int signal) => !HasExited && LibC.Signal(Pid, signal);

    /// <summary>SIGKILL to the process and anything it started.</summary>
    public void Kill()
    {
        if (HasExited)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) when (process.HasExited)
        {
            // It exited between the check and the kill: the outcome asked for.
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/>, waits up to <paramref name="grace"/> for the process to exit, then kills it.
    /// Cancelling <paramref name="cancellationToken"/> cuts the grace period short; the process is stopped either way.
    /// Returns true when it stopped within the grace period.
    /// </summary>
    public async Task<bool> StopAsync(int signal, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (HasExited)
        {
            return true;
        }

        Signal(signal);
        if (await WaitAsync(grace, cancellationToken))
        {
            return true;
        }

        Kill();
        await WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        return false;
    }

    /// <summary>Waits for the exit; false on timeout or cancellation.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await exited.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => process.Dispose();

    private static async Task PumpAsync(StreamReader reader, ResourceLog log)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            log.Add(line);
        }
    }

    private async Task WaitForExitAndDrainAsync(Process process, Task pumps)
    {
        await process.WaitForExitAsync();
        // Kept here: the Process may be disposed before anyone asks.
        exitCode = process.ExitCode;
        try
        {
            await pumps.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            // The pipe stays open in a grandchild; the process itself is gone, which is what callers wait for.
        }
    }
}
