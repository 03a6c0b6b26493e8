using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Producer.Generation;

/// <summary>
/// Makes tasks at Producer:Rate while the backlog has room, stores each batch as received (the outbox) and only then
/// counts it and queues it for dispatch. A batch that could not be stored was never produced.
/// </summary>
internal sealed class GenerationService : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PausedPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan IdleRefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between counts after the last task while the backlog does not move.</summary>
    private static readonly TimeSpan IdleCountInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the count may wait while the backlog has room for more than generation can make meanwhile: counting
    /// four times a second then buys nothing (between counts generation fills at most Rate × this of the room, and the
    /// estimate only errs on the safe side), and at the default 10 tasks/s it was most of the Producer's idle work.
    /// </summary>
    private static readonly TimeSpan RelaxedRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Counting costs the database time in proportion to the backlog (about 30 ms for 50,000 tasks): the next count
    /// waits at least this many times as long as the last one took, so counting never takes more than a twentieth of
    /// the time. The estimate between counts only errs on the safe side.
    /// </summary>
    private const int CountCostFactor = 20;

    /// <summary>
    /// While generation is paused the Consumers drain the backlog, at full speed half of it (the resume mark) in well
    /// under a second. Waiting the whole <see cref="CountCostFactor"/> interval then (1.5 s for a 75 ms count of 50,000
    /// tasks under load) let them run dry: the benchmark's timeline showed throughput at zero for about a second, once
    /// or twice per run. Paused, the count waits only this many times its duration.
    /// </summary>
    private const int PausedCountCostFactor = 4;

    /// <summary>After stopping is requested, the batch in hand still gets this long to be stored and queued.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly ProducerOptions _options;
    private readonly BacklogGate _gate;
    private readonly TaskGenerator _generator;
    private readonly TaskIntake _intake;
    private readonly TaskReads _reads;
    private readonly DispatchQueue _queue;
    private readonly ProducerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<GenerationService> _logger;
    private readonly DatabaseOutage _outage;
    private readonly BackgroundLoops _loops;
    private readonly GenerationProgress _progress;

    private long _lastRefresh;
    private TimeSpan _refreshEvery = RefreshInterval;
    private TimeSpan _pausedRefreshEvery = PausedPollInterval;
    private bool _refreshNow = true;

    public GenerationService(
        IOptions<ProducerOptions> options,
        BacklogGate gate,
        TaskGenerator generator,
        TaskIntake intake,
        TaskReads reads,
        DispatchQueue queue,
        ProducerMetrics metrics,
        GenerationProgress progress,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        BackgroundLoops loops,
        ILogger<GenerationService> logger)
    {
        _progress = progress;
        _options = options.Value;
        _gate = gate;
        _generator = generator;
        _intake = intake;
        _reads = reads;
        _queue = queue;
        _metrics = metrics;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
        _loops = loops;
        _outage = new DatabaseOutage("storing tasks", new RetryBackoff(_options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared), time, logger);
        queue.RegisterWriter();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // ApplicationStopping comes before any hosted service is stopped: generation ends first and the dispatcher,
        // stopped later, drains what generation queued.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _lifetime.ApplicationStopping);
        using var grace = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var startGrace = stopping.Token.Register(() => grace.CancelAfter(StopGrace));
        try
        {
            await _loops.RunAsync("generation", token => GenerateAsync(token, grace.Token), stopping.Token);
        }
        finally
        {
            _queue.CompleteWriter();
        }
    }

    private async Task GenerateAsync(CancellationToken stopping, CancellationToken grace)
    {
        var options = _options;
        var pacer = new RatePacer(options.Rate, _time);
        // Waiting for more tasks pays only when another one comes within the delay.
        var accumulate = options.Rate > 0 && options.Rate * options.BatchDelay.TotalSeconds >= 1;
        long produced = 0;
        var maxTasksText = options.MaxTasks is { } max ? max.ToString() : "unlimited";
        ProducerLog.GenerationStarted(_logger, options.Rate, options.MaxBacklog, maxTasksText);

        while (!stopping.IsCancellationRequested)
        {
            var remaining = options.MaxTasks is { } maxTasks ? maxTasks - produced : long.MaxValue;
            if (remaining <= 0)
            {
                ProducerLog.GenerationCompleted(_logger, produced);
                _progress.Finish();
                await KeepCountingAsync(stopping);
                return;
            }

            if ((_refreshNow || _time.GetElapsedTime(_lastRefresh) >= _refreshEvery) && !await TryRefreshBacklogAsync(stopping))
            {
                continue;
            }

            var room = _gate.Room;
            if (room == 0)
            {
                var untilRefresh = _pausedRefreshEvery - _time.GetElapsedTime(_lastRefresh);
                await Task.Delay(untilRefresh > PausedPollInterval ? untilRefresh : PausedPollInterval, _time, stopping);
                _refreshNow = true;
                continue;
            }

            var limit = (int)Math.Min(Math.Min(options.BatchSize, room), remaining);
            var count = await pacer.AcquireAsync(limit, stopping);
            if (count < limit && accumulate)
            {
                // One COPY for many tasks at high rates: 50,000/s is a few hundred rows per statement, not one each.
                await Task.Delay(options.BatchDelay, _time, stopping);
                count += pacer.TryAcquire(limit - count);
            }

            var tasks = new NewTask[count];
            for (var i = 0; i < tasks.Length; i++)
            {
                tasks[i] = _generator.Next();
            }

            // From here the batch is finished even when stopping, within the grace period.
            using var store = ProducerTracing.StartStore(count);
            if (!await StoreAsync(tasks, grace))
            {
                store?.SetStatus(ActivityStatusCode.Error, "not stored");
                continue;
            }

            LogChange(_gate.OnStored(count));
            _metrics.Produced(tasks);
            produced += count;
            _progress.Stored(count);
            await EnqueueAsync(tasks, store?.Context, grace);
        }
    }

    private async Task<bool> TryRefreshBacklogAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        long count;
        try
        {
            count = await _reads.CountBacklogAsync(cancellationToken);
        }
        catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_outage.OnFailure(exception), _time, cancellationToken);
            return false;
        }

        _outage.OnSuccess();
        _lastRefresh = _time.GetTimestamp();
        _refreshNow = false;
        var took = _time.GetElapsedTime(started, _lastRefresh);
        _refreshEvery = TimeSpan.FromTicks(Math.Max(RefreshInterval.Ticks, took.Ticks * CountCostFactor));
        _pausedRefreshEvery = TimeSpan.FromTicks(Math.Max(PausedPollInterval.Ticks, took.Ticks * PausedCountCostFactor));
        LogChange(_gate.Update(count));
        if (_options.Rate > 0 && _gate.Room > _options.Rate * RelaxedRefreshInterval.TotalSeconds && _refreshEvery < RelaxedRefreshInterval)
        {
            _refreshEvery = RelaxedRefreshInterval;
        }

        return true;
    }

    /// <summary>
    /// After the last task, keeps the backlog gauge true to the database while the Consumers work it off; once the count
    /// stops moving it is taken less and less often (at most <see cref="IdleCountInterval"/> apart), so a Producer that
    /// is done costs next to nothing.
    /// </summary>
    private async Task KeepCountingAsync(CancellationToken cancellationToken)
    {
        var pace = new IdleBackoff(IdleRefreshInterval, IdleCountInterval);
        var last = _gate.Backlog;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_refreshEvery > pace.Current ? _refreshEvery : pace.Current, _time, cancellationToken);
            try
            {
                // Paused or resumed no longer means anything, so the change is not logged.
                var started = _time.GetTimestamp();
                var backlog = await _reads.CountBacklogAsync(cancellationToken);
                _gate.Update(backlog);
                _refreshEvery = TimeSpan.FromTicks(Math.Max(RefreshInterval.Ticks, _time.GetElapsedTime(started).Ticks * CountCostFactor));
                _outage.OnSuccess();
                pace.After(backlog != last);
                last = backlog;
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_outage.OnFailure(exception), _time, cancellationToken);
            }
        }
    }

    /// <summary>Stores the batch, retrying the same ids while the database fails; false when it was not stored.</summary>
    private async Task<bool> StoreAsync(NewTask[] tasks, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _intake.StoreAsync(tasks, cancellationToken);
                _outage.OnSuccess();
                return true;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                _outage.OnSuccess();
                if (attempt > 0)
                {
                    // COPY is all or nothing: an earlier attempt committed although its answer was lost.
                    ProducerLog.BatchAlreadyStored(_logger, tasks.Length);
                    return true;
                }

                ProducerLog.BatchCollided(_logger, tasks.Length, exception);
                return false;
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_outage.OnFailure(exception), _time, cancellationToken);
            }
        }
    }

    private async Task EnqueueAsync(NewTask[] tasks, ActivityContext? stored, CancellationToken cancellationToken)
    {
        try
        {
            await _intake.SendAsync(tasks, stored, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            ProducerLog.BatchLeftInOutbox(_logger, tasks.Length);
            throw;
        }
    }

    private void LogChange(BacklogChange change)
    {
        switch (change)
        {
            case BacklogChange.Paused:
                ProducerLog.GenerationPaused(_logger, _gate.Backlog, _gate.MaxBacklog);
                break;
            case BacklogChange.Resumed:
                ProducerLog.GenerationResumed(_logger, _gate.Backlog, _gate.ResumeMark);
                break;
            case BacklogChange.None:
                break;
        }
    }
}
