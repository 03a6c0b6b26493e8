using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Data;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// The outbox relay: at start and every SweepInterval, claims received tasks that are due (never taken by a
/// Consumer within RedispatchAfter, e.g. after a crash or an outage, or handed back by one) and queues those not
/// already in flight here. A full page is followed at once by the next, so a large backlog drains at queue speed.
/// </summary>
internal sealed class OutboxSweeper : BackgroundService
{
    private const int SweepCostFactor = 20;

    private readonly OutboxSweep _outbox;
    private readonly DispatchQueue _queue;
    private readonly InFlightTasks _inFlight;
    private readonly ProducerMetrics _metrics;
    private readonly ProducerOptions _options;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<OutboxSweeper> _logger;
    private readonly DatabaseOutage _outage;
    private readonly BackgroundLoops _loops;

    public OutboxSweeper(
        OutboxSweep outbox,
        DispatchQueue queue,
        InFlightTasks inFlight,
        ProducerMetrics metrics,
        IOptions<ProducerOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        BackgroundLoops loops,
        ILogger<OutboxSweeper> logger)
    {
        _outbox = outbox;
        _queue = queue;
        _inFlight = inFlight;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
        _loops = loops;
        _outage = new DatabaseOutage("sweeping the outbox", new RetryBackoff(_options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared), time, logger);
        queue.RegisterWriter();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _lifetime.ApplicationStopping);
        try
        {
            await _loops.RunAsync("outbox-sweep", SweepAsync, stopping.Token);
        }
        finally
        {
            _queue.CompleteWriter();
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var pace = new IdleBackoff(_options.SweepInterval, TimeSpan.FromTicks(Math.Max(_options.SweepInterval.Ticks, _options.SweepIdleInterval.Ticks)));
        var settled = _inFlight.Settled;
        while (!cancellationToken.IsCancellationRequested)
        {
            NewTask[] due;
            var started = _time.GetTimestamp();
            try
            {
                due = await _outbox.ClaimDueAsync(_options.RedispatchAfter, _options.BatchSize, cancellationToken);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_outage.OnFailure(exception), _time, cancellationToken);
                continue;
            }

            var took = _time.GetElapsedTime(started);
            _outage.OnSuccess();
            await EnqueueAsync(due, cancellationToken);
            if (due.Length < _options.BatchSize)
            {
                // Nothing due and nothing dispatched since the last sweep: nothing can be handed back soon either, so
                // the next sweep waits longer (an idle deployment sweeps a few times a minute, not every second).
                var settledNow = _inFlight.Settled;
                var wait = pace.After(due.Length > 0 || settledNow != settled || _inFlight.Count > 0);
                settled = settledNow;

                // A sweep reads the whole outbox's index when little is due: with a large backlog (100,000 tasks take
                // about 60 ms), sweep less often, so sweeping never takes more than a twentieth of the time.
                var paced = took * SweepCostFactor;
                await Task.Delay(paced > wait ? paced : wait, _time, cancellationToken);
            }
        }
    }

    private async Task EnqueueAsync(NewTask[] due, CancellationToken cancellationToken)
    {
        // What is still queued or being sent here is not sent twice; the claim only postponed its next sweep.
        var fresh = Array.FindAll(due, task => _inFlight.TryAdd(task.Id));
        if (fresh.Length == 0)
        {
            return;
        }

        _metrics.Redispatched(fresh.Length);
        ProducerLog.Redispatching(_logger, fresh.Length, _options.RedispatchAfter);
        try
        {
            await _queue.WriteAsync(new TaskBatch(fresh), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _inFlight.Remove(fresh);
            throw;
        }
    }
}
