using System.Diagnostics;
using System.Diagnostics.Metrics;
using TaskPipeline.Data;

namespace TaskPipeline.Consumer;

/// <summary>
/// The Consumer's instruments (meter <c>TaskPipeline.Consumer</c>). Per-type instruments carry the tag
/// <c>task.type</c> ("0".."9"); done and value_sum count only completions the database accepted.
/// </summary>
internal sealed class ConsumerMetrics
{
    public const string MeterName = "TaskPipeline.Consumer";
    public const string TypeTag = "task.type";
    public const string ReasonTag = "reason";
    public const string UnauthenticatedReason = "unauthenticated";
    public const string MalformedReason = "malformed";

    // Work takes 0–100 ms by default; the upper buckets catch time spent queued or a slow DelayPerValue.
    private static readonly double[] DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    // Tag values are allocated once, not per measurement.
    private static readonly string[] TypeNames = [.. Enumerable.Range(0, TaskLimits.TypeCount).Select(t => t.ToString())];

    private readonly UpDownCounter<long> _processing;
    private readonly Counter<long> _received;
    private readonly Counter<long> _done;
    private readonly Counter<long> _valueSum;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _failedAttempts;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _submitsRejected;

    public ConsumerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _processing = meter.CreateUpDownCounter<long>("taskpipeline.consumer.tasks.processing", "{task}", "Work items running now.");
        _received = meter.CreateCounter<long>("taskpipeline.consumer.tasks.received", "{task}", "Tasks claimed by Submit.");
        _done = meter.CreateCounter<long>("taskpipeline.consumer.tasks.done", "{task}", "Tasks completed.");
        _valueSum = meter.CreateCounter<long>("taskpipeline.consumer.tasks.value_sum", null, "Sum of the values of completed tasks.");
        _duration = meter.CreateHistogram(
            "taskpipeline.consumer.tasks.duration",
            "s",
            "Time from claim to the end of the work.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _failedAttempts = meter.CreateCounter<long>("taskpipeline.consumer.tasks.failed_attempts", "{task}", "Attempts that failed.");
        _deadLettered = meter.CreateCounter<long>("taskpipeline.consumer.tasks.dead_lettered", "{task}", "Tasks that used up their attempts (state failed).");
        _duplicates = meter.CreateCounter<long>("taskpipeline.consumer.tasks.duplicates", "{task}", "Submitted tasks that were already claimed or finished.");
        _rateLimited = meter.CreateCounter<long>("taskpipeline.consumer.tasks.rate_limited", "{task}", "Submitted tasks deferred or rejected by the rate limit.");
        _submitsRejected = meter.CreateCounter<long>(
            "taskpipeline.consumer.submits.rejected", "{call}", "Submit calls refused before their tasks were read: unauthenticated or malformed.");

        // Every series exists from the start at 0 (Prometheus' advice): a rate or a dashboard panel over failures that
        // have not happened yet shows 0, not "no data", and the first failure is a change from 0, not a new series.
        _processing.Add(0);
        _duplicates.Add(0);
        _rateLimited.Add(0);
        _submitsRejected.Add(0, new KeyValuePair<string, object?>(ReasonTag, UnauthenticatedReason));
        _submitsRejected.Add(0, new KeyValuePair<string, object?>(ReasonTag, MalformedReason));
        foreach (var counter in (Counter<long>[])[_received, _done, _valueSum, _failedAttempts, _deadLettered])
        {
            foreach (var type in TypeNames)
            {
                counter.Add(0, new KeyValuePair<string, object?>(TypeTag, type));
            }
        }
    }

    public void ProcessingStarted() => _processing.Add(1);

    public void ProcessingEnded() => _processing.Add(-1);

    public void Received(ReadOnlySpan<long> countsByType) => AddByType(_received, countsByType);

    public void Done(ReadOnlySpan<long> countsByType, ReadOnlySpan<long> valueSumsByType)
    {
        AddByType(_done, countsByType);
        AddByType(_valueSum, valueSumsByType);
    }

    public void FailedAttempts(ReadOnlySpan<long> countsByType) => AddByType(_failedAttempts, countsByType);

    public void DeadLettered(ReadOnlySpan<long> countsByType) => AddByType(_deadLettered, countsByType);

    public void Duplicates(int count)
    {
        if (count > 0)
        {
            _duplicates.Add(count);
        }
    }

    public void RateLimited(int count)
    {
        if (count > 0)
        {
            _rateLimited.Add(count);
        }
    }

    public void SubmitRejected(string reason) => _submitsRejected.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));

    public void Duration(TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds);

    private static void AddByType(Counter<long> counter, ReadOnlySpan<long> byType)
    {
        Debug.Assert(byType.Length == TaskLimits.TypeCount, "one slot per task type");
        for (var type = 0; type < byType.Length; type++)
        {
            if (byType[type] != 0)
            {
                counter.Add(byType[type], new KeyValuePair<string, object?>(TypeTag, TypeNames[type]));
            }
        }
    }
}
