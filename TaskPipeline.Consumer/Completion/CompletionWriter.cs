using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Data;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Consumer.Completion;

/// <summary>
/// Writes task outcomes to the database, many per statement: what queued while the last statement ran, and at rates
/// where more are expected within it, what arrives within CompletionBatchDelay (up to <see cref="MaxBatch"/>), shares one
/// round trip. Only rows the database accepted are counted, so a task canceled or
/// taken over meanwhile is not. Transient failures are retried; the channel is bounded, so workers wait meanwhile.
/// </summary>
internal sealed class CompletionWriter(
    TaskCompletions completions,
    ConsumerInstance instance,
    WorkQueue queue,
    ConsumerMetrics metrics,
    IOptions<ConsumerOptions> options,
    TimeProvider time,
    BackgroundLoops loops,
    ILogger<CompletionWriter> logger) : BackgroundService
{
    public const int MaxBatch = 1000;
    private const int Capacity = 4 * MaxBatch;

    /// <summary>
    /// The batch window is waited only when at least this many more outcomes are expected in it: at low rates it would
    /// catch nothing and only add its delay (and a timer) to every task; while a statement runs, outcomes queue anyway.
    /// </summary>
    private const double WaitWhenExpected = 0.5;
    private static readonly RetryBackoff RetrySchedule = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), Random.Shared);

    private readonly Channel<TaskOutcome> _outcomes = Channel.CreateBounded<TaskOutcome>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = false,
    });

    private readonly string _owner = instance.Id;
    private readonly ConsumerOptions _options = options.Value;

    /// <summary>Hands over one outcome; waits while the writer is behind. Throws <see cref="ChannelClosedException"/> after the stop.</summary>
    public ValueTask ReportAsync(TaskOutcome outcome, CancellationToken cancellationToken) =>
        _outcomes.Writer.WriteAsync(outcome, cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The workers have stopped (they stop first): write what they reported, then end.
        _outcomes.Writer.TryComplete();
        if (ExecuteTask is { } writing)
        {
            try
            {
                await writing.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Out of shutdown time: base.StopAsync cancels the write; the unwritten claims are released.
            }
        }

        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loops.RunAsync("completion-writer", WriteAsync, stoppingToken);

    private async Task WriteAsync(CancellationToken stoppingToken)
    {
        var reader = _outcomes.Reader;
        var batch = new List<TaskOutcome>(MaxBatch);
        var rate = new ArrivalRate(time);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                Take(reader, batch);
                if (batch.Count < MaxBatch && _options.CompletionBatchDelay > TimeSpan.Zero
                    && rate.PerSecond * _options.CompletionBatchDelay.TotalSeconds >= WaitWhenExpected)
                {
                    // Let outcomes finishing right now join this statement instead of each paying a round trip.
                    await Task.Delay(_options.CompletionBatchDelay, time, stoppingToken);
                    Take(reader, batch);
                }

                rate.Add(batch.Count);
                await FlushAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            var unwritten = batch.Count + reader.Count;
            if (unwritten > 0)
            {
                ConsumerLog.OutcomesUnwritten(logger, unwritten);
            }
        }
    }

    private static void Take(ChannelReader<TaskOutcome> reader, List<TaskOutcome> batch)
    {
        while (batch.Count < MaxBatch && reader.TryRead(out var outcome))
        {
            batch.Add(outcome);
        }
    }

    private async Task FlushAsync(List<TaskOutcome> batch, CancellationToken cancellationToken)
    {
        using var activity = ConsumerTracing.StartComplete(batch);
        var done = batch.Where(o => o.Succeeded).ToList();
        var failed = batch.Where(o => !o.Succeeded).ToList();

        for (var attempt = 1; ; attempt++)
        {
            CompletionResult result;
            try
            {
                result = await completions.CompleteAsync(done, failed, _owner, _options.MaxAttempts, _options.RetryBackoff, cancellationToken);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = RetrySchedule.Next(attempt - 1);
                ConsumerLog.CompletionRetry(logger, batch.Count, attempt, delay.TotalMilliseconds, exception.Message);
                await Task.Delay(delay, time, cancellationToken);
                continue;
            }
            catch (NpgsqlException exception) when (!DatabaseFailure.IsTransient(exception))
            {
                // Retrying the same statement cannot help. Forgetting the claims lets their leases run out, so the
                // tasks run again instead of staying stuck in processing.
                ConsumerLog.CompletionFailed(logger, batch.Count, exception);
                Forget(batch);
                return;
            }

            Record(result, batch.Count);
            Forget(batch);
            return;
        }
    }

    private void Record(CompletionResult result, int written)
    {
        metrics.Done(result.DoneByType, result.ValueSumByType);
        metrics.FailedAttempts(result.FailedAttemptsByType);
        metrics.DeadLettered(result.DeadLetteredByType);

        var deadLettered = result.DeadLettered;
        if (deadLettered > 0)
        {
            ConsumerLog.DeadLettered(logger, deadLettered, _options.MaxAttempts);
        }

        var applied = result.Done + result.FailedAttemptsByType.Sum();
        if (applied < written)
        {
            ConsumerLog.StaleOutcomes(logger, (int)(written - applied));
        }
    }

    private void Forget(List<TaskOutcome> batch)
    {
        foreach (var outcome in batch)
        {
            queue.Forget(outcome.Id, outcome.Claim);
        }
    }
}
