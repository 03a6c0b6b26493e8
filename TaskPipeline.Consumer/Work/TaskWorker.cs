using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Consumer.Completion;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Consumer.Work;

/// <summary>
/// Runs the claimed work: MaxConcurrency loops take tasks from the <see cref="WorkQueue"/>, sleep value × DelayPerValue,
/// fail with probability FailureRate, and hand the outcome to the <see cref="CompletionWriter"/>.
/// On stop it drains: no new Submits, queued and running work may finish within DrainTimeout, the rest is stopped
/// unreported (its claims stay registered, and the <see cref="Leases.LeaseKeeper"/> releases them last).
/// </summary>
internal sealed class TaskWorker(
    WorkQueue queue,
    CompletionWriter completions,
    ConsumerMetrics metrics,
    IOptions<ConsumerOptions> options,
    ConsumerInstance instance,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    BackgroundLoops loops,
    ILogger<TaskWorker> logger) : BackgroundService
{
    private readonly ConsumerOptions _options = options.Value;
    private CancellationTokenRegistration _stoppingRegistration;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Refuse Submits as soon as the stop begins, before any hosted service is stopped: a Producer then retries
        // on another replica instead of handing this one work it would have to give back.
        _stoppingRegistration = lifetime.ApplicationStopping.Register(static queue => ((WorkQueue)queue!).StopAccepting(), queue);
        ConsumerLog.Started(logger, instance.Id, _options.MaxConcurrency, _options.QueueCapacity, _options.RateLimit, _options.LeaseDuration);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.StopAccepting();
        ConsumerLog.Draining(logger, queue.Occupied, _options.DrainTimeout);

        var drained = false;
        var deadline = time.GetTimestamp() + (long)(_options.DrainTimeout.TotalSeconds * time.TimestampFrequency);
        try
        {
            // A Submit still claiming will queue its tasks; wait for it before closing the queue.
            await queue.SubmitsFinished.WaitAsync(Remaining(deadline), time, cancellationToken);
            queue.CompleteAdding();
            if (ExecuteTask is { } working)
            {
                await working.WaitAsync(Remaining(deadline), time, cancellationToken);
            }

            drained = true;
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        if (drained)
        {
            ConsumerLog.Drained(logger);
        }
        else
        {
            ConsumerLog.DrainTimedOut(logger, _options.DrainTimeout);
            queue.CancelAll();
        }

        await _stoppingRegistration.DisposeAsync();
        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.MaxConcurrency).Select(_ => Task.Run(() => loops.RunAsync("task-worker", RunAsync, stoppingToken), CancellationToken.None)));

    private TimeSpan Remaining(long deadline)
    {
        var ticks = (deadline - time.GetTimestamp()) * TimeSpan.TicksPerSecond / time.TimestampFrequency;
        return ticks > 0 ? TimeSpan.FromTicks(ticks) : TimeSpan.Zero;
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // ReadAsync, not WaitToReadAsync: a queued task wakes one idle worker, where WaitToReadAsync woke every
                // idle worker (MaxConcurrency of them) for each task, to find nothing and sleep again.
                if (!reader.TryRead(out var task))
                {
                    try
                    {
                        task = await reader.ReadAsync(stoppingToken);
                    }
                    catch (ChannelClosedException) when (reader.Completion.IsCompleted)
                    {
                        // Drained: the queue was completed and is empty.
                        return;
                    }
                }

                await ProcessAsync(task, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The drain is over; what is left stays registered and is released.
        }
        catch (ChannelClosedException)
        {
            // The completion writer stopped first (shutdown ran out of time); the claims are released.
        }
    }

    private async Task ProcessAsync(ClaimedTask task, CancellationToken stoppingToken)
    {
        try
        {
            // Not registered any more, or canceled while queued: the claim is no longer ours to finish.
            if (!queue.TryGetInFlight(task.Id, task.Claim, out var claim) || claim.Token.IsCancellationRequested)
            {
                return;
            }

            metrics.ProcessingStarted();
            using var activity = ConsumerTracing.StartProcess(task, claim.Trace);
            try
            {
                var delay = WorkDelay.For(task.Value, _options.DelayPerValue);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, claim.Token);
                }

                var error = _options.FailureRate > 0 && Random.Shared.NextDouble() < _options.FailureRate
                    ? $"simulated failure (attempt {task.Attempt})"
                    : null;
                metrics.Duration(time.GetElapsedTime(claim.ClaimedAt));
                if (error is not null)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, error);
                }

                claim.MarkReported();
                await completions.ReportAsync(new TaskOutcome(task.Id, task.Claim, error, activity?.Context ?? default), stoppingToken);
            }
            catch (OperationCanceledException) when (claim.Token.IsCancellationRequested)
            {
                // Lease lost (e.g. the task was canceled) or the drain gave up: stop early and report nothing.
                activity?.SetStatus(ActivityStatusCode.Error, "stopped: the claim is no longer ours");
            }
            finally
            {
                metrics.ProcessingEnded();
            }
        }
        finally
        {
            queue.Free(1);
        }
    }
}
