using System.Diagnostics;
using TaskPipeline.Producer.Dispatch;

namespace TaskPipeline.Producer;

/// <summary>
/// The Producer's spans (source <c>TaskPipeline.Producer</c>). Storing a batch is one span (the COPY is its child);
/// sending one is a <c>tasks.dispatch</c> span whose child gRPC call carries the W3C trace context to the Consumer,
/// which continues the trace with one span per task. A dispatch links to the store spans of the tasks it sends.
/// </summary>
internal static class ProducerTracing
{
    public const string SourceName = "TaskPipeline.Producer";

    public const string TaskCountTag = "taskpipeline.tasks.count";

    /// <summary>The SDK keeps 128 links per span; more would be dropped anyway.</summary>
    public const int MaxLinks = 128;

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Storing one generated batch as received (the outbox row is the message).</summary>
    public static Activity? StartStore(int count)
    {
        var activity = Source.StartActivity("tasks.store", ActivityKind.Internal);
        activity?.SetTag(TaskCountTag, count);
        return activity;
    }

    /// <summary>One Submit of a batch, with its retries; the Consumer's work continues this trace.</summary>
    public static Activity? StartDispatch(TaskBatch batch)
    {
        var links = batch.Origins is { Count: > 0 } origins
            ? origins.Take(MaxLinks).Select(origin => new ActivityLink(origin))
            : null;
        var activity = Source.StartActivity("tasks.dispatch", ActivityKind.Producer, parentContext: default, tags: null, links: links);
        activity?.SetTag(TaskCountTag, batch.Count);
        return activity;
    }
}
