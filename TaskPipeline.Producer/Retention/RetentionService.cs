using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Producer.Retention;

/// <summary>
/// Every Retention:Interval, in whichever Producer replica gets the lock, deletes the finished tasks older than their
/// state's retention, a paced batch at a time, until none is left. Every second, folds the task counters' deltas, so
/// the deltas every stats and backlog read adds up stay a second's worth.
/// </summary>
internal sealed partial class RetentionService : BackgroundService
{
    private readonly TaskRetention _retention;
    private readonly RetentionOptions _options;
    private readonly ProducerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionService> _logger;
    private readonly DatabaseOutage _outage;
    private readonly BackgroundLoops _loops;

    public RetentionService(
        TaskRetention retention,
        IOptions<RetentionOptions> options,
        IOptions<ProducerOptions> producerOptions,
        ProducerMetrics metrics,
        TimeProvider time,
        BackgroundLoops loops,
        ILogger<RetentionService> logger)
    {
        _loops = loops;
        _retention = retention;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        var producer = producerOptions.Value;
        _outage = new DatabaseOutage("deleting expired tasks", new RetryBackoff(producer.RetryBaseDelay, producer.RetryMaxDelay, Random.Shared), time, logger);
    }

    /// <summary>How often the counters are folded: at full speed a second leaves about two thousand delta rows.</summary>
    public static readonly TimeSpan FoldInterval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        _loops.RunAsync("retention", EveryIntervalAsync, stoppingToken),
        _loops.RunAsync("counter-fold", FoldEverySecondAsync, stoppingToken));

    private async Task FoldEverySecondAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FoldInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await _retention.FoldCountsAsync(stoppingToken);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !stoppingToken.IsCancellationRequested)
            {
                // The deltas wait for the next tick; reads add them up meanwhile. The retention loop reports the outage.
            }
        }
    }

    private async Task EveryIntervalAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        do
        {
            try
            {
                await _retention.TryRunExclusiveAsync(RunAsync, stoppingToken);
                _outage.OnSuccess();
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !stoppingToken.IsCancellationRequested)
            {
                // The next tick tries again; nothing is half done (every batch is its own transaction).
                _outage.OnFailure(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var (state, age) in _options.Rules())
        {
            var started = _time.GetTimestamp();
            long deleted = 0;
            int batch;
            do
            {
                batch = await TaskRetention.DeleteExpiredAsync(connection, state, age, _options.BatchSize, cancellationToken);
                deleted += batch;
                _metrics.Deleted(state, batch);
                if (batch == _options.BatchSize && _options.BatchPause > TimeSpan.Zero)
                {
                    await Task.Delay(_options.BatchPause, _time, cancellationToken);
                }
            }
            while (batch == _options.BatchSize);

            if (deleted > 0)
            {
                var elapsed = _time.GetElapsedTime(started);
                LogDeleted(_logger, deleted, state, age, elapsed);
            }
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information,
        Message = "Retention deleted {Deleted} {State} task(s) finished more than {Age} ago in {Elapsed}")]
    private static partial void LogDeleted(ILogger logger, long deleted, TaskState state, TimeSpan age, TimeSpan elapsed);
}
