using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Runs every background loop of a service under one rule: a loop that ends with an exception it did not handle (a
/// non-transient database error, a bug) is logged once, naming the loop, and stops the whole service, which then exits
/// with <see cref="LoopFailedExitCode"/> so that its orchestrator restarts it. A loop handles its transient failures
/// itself (retry with backoff); only what it lets through reaches here. Without this, a loop combined with its siblings
/// by <c>Task.WhenAll</c> died alone while the siblings ran on, and the host never learned of it.
/// </summary>
public sealed partial class BackgroundLoops(IHostApplicationLifetime lifetime, ILogger<BackgroundLoops> logger)
{
    /// <summary>
    /// Exit code of a service stopped by a failed background loop: not 0 (a clean stop, which nobody restarts) and not
    /// <see cref="ServiceRunner.InvalidConfigurationExitCode"/> (which a restart cannot fix).
    /// </summary>
    public const int LoopFailedExitCode = 3;

    private string? _failedLoop;

    /// <summary>The first loop that failed, or null while none has.</summary>
    public string? FailedLoop => Volatile.Read(ref _failedLoop);

    /// <summary>
    /// Runs <paramref name="loop"/> until it returns or <paramref name="stoppingToken"/> stops it; never throws. A
    /// cancellation by <paramref name="stoppingToken"/> is a clean stop; any other exception stops the service.
    /// </summary>
    public async Task RunAsync(string name, Func<CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(loop);
        try
        {
            await loop(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Fail(name, exception);
        }
    }

    /// <summary>Stops the service because <paramref name="name"/> failed; only the first failure is logged.</summary>
    public void Fail(string name, Exception exception)
    {
        // Siblings stopped by the failure may fail too (e.g. a closed channel): the first one is the cause.
        if (Interlocked.CompareExchange(ref _failedLoop, name, null) is null)
        {
            LogLoopFailed(logger, name, LoopFailedExitCode, exception);
        }

        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Background loop '{Loop}' failed; stopping the service (exit code {ExitCode})")]
    private static partial void LogLoopFailed(ILogger logger, string loop, int exitCode, Exception exception);
}
