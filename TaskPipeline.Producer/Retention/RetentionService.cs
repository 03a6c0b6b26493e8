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

    /// <summary>
    /// How often at most while folds find nothing: reads add the unfolded deltas up anyway, so an idle deployment need
    /// not look every second.
    /// </summary>
    public static readonly TimeSpan IdleFoldInterval = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between retention rounds while they delete nothing.</summary>
    public static readonly TimeSpan IdleInterval = TimeSpan.FromMinutes(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        _loops.RunAsync("retention", EveryIntervalAsync, stoppingToken),
        _loops.RunAsync("counter-fold", FoldEverySecondAsync, stoppingToken));

    private async Task FoldEverySecondAsync(CancellationToken stoppingToken)
    {
        var pace = new IdleBackoff(FoldInterval, IdleFoldInterval);
        while (true)
        {
            await Task.Delay(pace.Current, _time, stoppingToken);
            try
            {
                pace.After(await _retention.FoldCountsAsync(stoppingToken) > 0);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !stoppingToken.IsCancellationRequested)
            {
                // The deltas wait for the next round; reads add them up meanwhile. The retention loop reports the outage.
                pace.Busy();
            }
        }
    }

    private async Task EveryIntervalAsync(CancellationToken stoppingToken)
    {
        // Rounds that find nothing to delete or vacuum come less often, up to once a minute: what expires meanwhile waits
        // a little longer, and an idle deployment does not take the lock and scan the index every few seconds.
        var pace = new IdleBackoff(_options.Interval, TimeSpan.FromTicks(Math.Max(_options.Interval.Ticks, IdleInterval.Ticks)));
        while (true)
        {
            try
            {
                // Rows deleted and tables vacuumed: none, and the next round may wait longer.
                long work = 0;
                await _retention.TryRunExclusiveAsync(async (connection, token) => work = await RunAsync(connection, token), stoppingToken);
                _outage.OnSuccess();
                pace.After(work > 0);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !stoppingToken.IsCancellationRequested)
            {
                // The next round tries again; nothing is half done (every batch is its own transaction).
                _outage.OnFailure(exception);
                pace.Busy();
            }

            await Task.Delay(pace.Current, _time, stoppingToken);
        }
    }

    /// <summary>One round: the expired tasks of each state, then the vacuum if due; returns rows deleted plus tables vacuumed.</summary>
    private async Task<long> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        long work = 0;
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

            work += deleted;
        }

        // Expired idempotency keys and throughput seconds older than an hour: bounded batches until none is left.
        int bookkeeping;
        do
        {
            bookkeeping = await TaskRetention.DeleteExpiredBookkeepingAsync(connection, _options.BatchSize, cancellationToken);
            work += bookkeeping;
        }
        while (bookkeeping >= _options.BatchSize);

        var vacuumStarted = _time.GetTimestamp();
        var vacuumed = await TaskRetention.VacuumIfDueAsync(connection, cancellationToken);
        if (vacuumed.Count > 0 && _logger.IsEnabled(LogLevel.Information))
        {
            var elapsed = _time.GetElapsedTime(vacuumStarted);
            var tables = string.Join(", ", vacuumed);
            LogVacuumed(_logger, tables, elapsed);
        }

        return work + vacuumed.Count;
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information,
        Message = "Retention deleted {Deleted} {State} task(s) finished more than {Age} ago in {Elapsed}")]
    private static partial void LogDeleted(ILogger logger, long deleted, TaskState state, TimeSpan age, TimeSpan elapsed);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Retention vacuumed {Tables} in {Elapsed}: their dead rows passed the autovacuum thresholds")]
    private static partial void LogVacuumed(ILogger logger, string tables, TimeSpan elapsed);
}
