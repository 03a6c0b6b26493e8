using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Data;

namespace TaskPipeline.Producer;

/// <summary>The Producer's instruments, on the meter <c>TaskPipeline.Producer</c>.</summary>
internal sealed class ProducerMetrics
{
    public const string MeterName = "TaskPipeline.Producer";

    private static readonly KeyValuePair<string, object?>[] TypeTags =
        [.. Enumerable.Range(0, TaskLimits.TypeCount).Select(type => new KeyValuePair<string, object?>("task.type", type.ToString()))];

    private readonly Counter<long> _produced;
    private readonly Counter<long> _dispatched;
    private readonly Counter<long> _redispatched;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _givenBack;
    private readonly Histogram<double> _dispatchDuration;
    private readonly Counter<long> _apiRejected;
    private readonly Counter<long> _deleted;
    private readonly Counter<long> _scheduled;
    private readonly Counter<long> _due;
    private readonly Histogram<double> _dueLateness;
    private readonly KeyValuePair<string, object?>[] _stateTags =
        [.. Enum.GetValues<TaskState>().Select(state => new KeyValuePair<string, object?>("task.state", TaskStates.Name(state)))];

    /// <summary>Why the API refused a request before doing its work (the <c>reason</c> tag).</summary>
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";

    /// <summary>A notification stream beyond Notifications:MaxStreamsPerPrincipal.</summary>
    public const string StreamLimited = "stream_limited";

    public static readonly string[] RejectionReasons = [Unauthenticated, Forbidden, RateLimited, StreamLimited];

    public ProducerMetrics(IMeterFactory meterFactory, BacklogGate gate)
    {
        var meter = meterFactory.Create(MeterName);
        _produced = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.produced", "{task}", "Tasks generated and stored as received.");
        _dispatched = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.dispatched", "{task}", "Tasks a Consumer accepted.");
        _redispatched = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.redispatched", "{task}", "Tasks the outbox sweep sent again.");
        _retries = meter.CreateCounter<long>(
            "taskpipeline.producer.dispatch.retries", "{retry}", "Submit calls retried after a transient failure.");
        _givenBack = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.given_back", "{task}", "Tasks whose batch failed Producer:DispatchMaxAttempts times and was left to the outbox sweep.");
        _dispatchDuration = meter.CreateHistogram(
            "taskpipeline.producer.dispatch.duration", "s", "Duration of Submit calls.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _apiRejected = meter.CreateCounter<long>(
            "taskpipeline.producer.api.requests.rejected", "{request}", "API requests refused before doing their work: no or wrong credentials, a missing scope, the per-client rate limit, too many open notification streams.");
        _deleted = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.deleted", "{task}", "Finished tasks deleted by retention, by the state they were in.");
        _scheduled = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.scheduled", "{task}", "Delayed tasks created (stored as scheduled until due).");
        _due = meter.CreateCounter<long>(
            "taskpipeline.producer.tasks.due", "{task}", "Scheduled tasks the scheduler made received and queued for dispatch when due.");
        _dueLateness = meter.CreateHistogram(
            "taskpipeline.producer.schedule.lateness", "s", "From a scheduled task's due time to the moment the scheduler made it received.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableGauge(
            "taskpipeline.producer.backlog", () => gate.Backlog, "{task}", "Tasks received or processing (estimate).");
        meter.CreateObservableGauge(
            "taskpipeline.producer.paused", () => gate.IsPaused ? 1 : 0, description: "1 while generation is paused by the backlog limit.");

        // Every series exists from the start at 0 (Prometheus' advice), so rates and dashboard panels show 0 rather
        // than "no data" until the first event; retries are pre-created for each status they are made on.
        _dispatched.Add(0);
        _redispatched.Add(0);
        _scheduled.Add(0);
        _due.Add(0);
        foreach (var tag in TypeTags)
        {
            _produced.Add(0, tag);
        }

        foreach (var state in Enum.GetValues<TaskState>().Where(TaskStates.IsTerminal))
        {
            _deleted.Add(0, _stateTags[(int)state]);
        }

        foreach (var reason in RejectionReasons)
        {
            _apiRejected.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var status in RetriedStatuses)
        {
            _retries.Add(0, new KeyValuePair<string, object?>("grpc.status", status.ToString()));
        }

        foreach (var status in BoundedStatuses)
        {
            _givenBack.Add(0, new KeyValuePair<string, object?>("grpc.status", status.ToString()));
        }
    }

    /// <summary>An API request refused: one of <see cref="RejectionReasons"/>.</summary>
    public void ApiRequestRejected(string reason) => _apiRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>The statuses the dispatcher retries a Submit on (see Dispatcher.IsTransient).</summary>
    internal static readonly StatusCode[] RetriedStatuses =
    [
        StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Aborted,
        StatusCode.Internal, StatusCode.Unknown, StatusCode.Cancelled,
    ];

    /// <summary>The statuses retried at most Producer:DispatchMaxAttempts times per batch (see Dispatcher.IsBounded).</summary>
    internal static readonly StatusCode[] BoundedStatuses = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DeadlineExceeded];

    /// <summary>A batch of <paramref name="count"/> tasks given back to the outbox after its last attempt failed with <paramref name="status"/>.</summary>
    public void GivenBack(int count, StatusCode status) =>
        _givenBack.Add(count, new KeyValuePair<string, object?>("grpc.status", status.ToString()));

    public void Produced(ReadOnlySpan<NewTask> tasks)
    {
        Span<int> perType = stackalloc int[TaskLimits.TypeCount];
        foreach (var task in tasks)
        {
            perType[task.Type]++;
        }

        for (var type = 0; type < perType.Length; type++)
        {
            if (perType[type] > 0)
            {
                _produced.Add(perType[type], TypeTags[type]);
            }
        }
    }

    public void Dispatched(int count)
    {
        if (count > 0)
        {
            _dispatched.Add(count);
        }
    }

    public void Redispatched(int count) => _redispatched.Add(count);

    /// <summary>A delayed task was created.</summary>
    public void Scheduled() => _scheduled.Add(1);

    /// <summary>Scheduled tasks made received by the scheduler, and how late each was.</summary>
    public void Due(IReadOnlyList<DueTask> tasks)
    {
        _due.Add(tasks.Count);
        foreach (var task in tasks)
        {
            _dueLateness.Record(Math.Max(0, task.Late.TotalSeconds));
        }
    }

    public void Deleted(TaskState state, int count)
    {
        if (count > 0)
        {
            _deleted.Add(count, _stateTags[(int)state]);
        }
    }

    public void DispatchRetried(StatusCode status) => _retries.Add(1, new KeyValuePair<string, object?>("grpc.status", status.ToString()));

    public void DispatchCompleted(TimeSpan duration, StatusCode status) =>
        _dispatchDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("grpc.status", status.ToString()));
}
