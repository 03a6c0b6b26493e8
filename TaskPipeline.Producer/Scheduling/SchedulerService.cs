using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Producer.Scheduling;

/// <summary>
/// Dispatches delayed tasks when they are due: makes the due ones received (earliest first, a batch per statement) and
/// queues them like new tasks, then sleeps until the next one is due: the database says when, and a task scheduled
/// sooner through this Producer's API wakes it (<see cref="ScheduleSignal"/>). It never scans the table, and an idle
/// deployment with nothing scheduled looks once every <see cref="MaxSleep"/>. Every Producer replica runs one; their
/// statements skip each other's rows. Crash-safe: a task is scheduled or received in the database, so after a crash
/// the next start's first wake (or the outbox sweep, for tasks made received but not yet sent) takes it, once.
/// </summary>
internal sealed class SchedulerService : BackgroundService
{
    /// <summary>
    /// The longest sleep: how soon tasks another Producer scheduled and could not dispatch (it crashed and is not back)
    /// are found.
    /// </summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The shortest sleep while tasks are due one after another: at 1,000 due tasks a second, one statement makes ten
    /// of them received rather than one each (a tenth of the statements, at most this much later).
    /// </summary>
    public static readonly TimeSpan MinSleep = TimeSpan.FromMilliseconds(10);

    private readonly TaskSchedule _schedule;
    private readonly TaskIntake _intake;
    private readonly DispatchQueue _queue;
    private readonly ScheduleSignal _signal;
    private readonly ProducerMetrics _metrics;
    private readonly ProducerOptions _options;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly BackgroundLoops _loops;
    private readonly DatabaseOutage _outage;

    public SchedulerService(
        TaskSchedule schedule,
        TaskIntake intake,
        DispatchQueue queue,
        ScheduleSignal signal,
        ProducerMetrics metrics,
        IOptions<ProducerOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        BackgroundLoops loops,
        ILogger<SchedulerService> logger)
    {
        _schedule = schedule;
        _intake = intake;
        _queue = queue;
        _signal = signal;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _lifetime = lifetime;
        _loops = loops;
        _outage = new DatabaseOutage("dispatching due scheduled tasks", new RetryBackoff(_options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared), time, logger);
        queue.RegisterWriter();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _lifetime.ApplicationStopping);
        try
        {
            await _loops.RunAsync("scheduler", RunAsync, stopping.Token);
        }
        finally
        {
            _queue.CompleteWriter();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            List<DueTask> due;
            TimeSpan? nextDueIn;
            try
            {
                (due, nextDueIn) = await _schedule.PromoteDueAsync(_options.BatchSize, _options.RedispatchAfter, cancellationToken);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_outage.OnFailure(exception), _time, cancellationToken);
                continue;
            }

            _outage.OnSuccess();
            if (due.Count > 0)
            {
                _metrics.Due(due);
                try
                {
                    // Waits while the dispatch queue is full, as generation does. Stopping leaves the tasks received:
                    // the outbox sweep sends them after the restart.
                    await _intake.SendAsync([.. due.Select(static task => task.Task)], null, cancellationToken);
                }
                catch (ChannelClosedException)
                {
                    return;
                }
            }

            await _signal.SleepAsync(SleepAfter(due.Count, nextDueIn), cancellationToken);
        }
    }

    /// <summary>How long to sleep after a wake that made <paramref name="promoted"/> tasks received.</summary>
    private TimeSpan SleepAfter(int promoted, TimeSpan? nextDueIn)
    {
        if (promoted >= _options.BatchSize)
        {
            // More were due than one statement takes: go on at once.
            return TimeSpan.Zero;
        }

        if (nextDueIn is not { } next)
        {
            return MaxSleep;
        }

        return next < MinSleep ? MinSleep : next > MaxSleep ? MaxSleep : next;
    }
}
