using System.Diagnostics;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Consumer;

/// <summary>
/// The Consumer's spans (source <c>TaskPipeline.Consumer</c>). Each claimed task's work is a <c>task.process</c> span
/// whose parent is the Submit call that claimed it, so a task's trace runs Producer → gRPC → Consumer (claim in
/// PostgreSQL, then the work). Outcomes are written many per statement: each write is a <c>tasks.complete</c> span
/// of its own, linked to the work spans whose outcomes it writes.
/// </summary>
internal static class ConsumerTracing
{
    public const string SourceName = "TaskPipeline.Consumer";

    /// <summary>The SDK keeps 128 links per span; more would be dropped anyway.</summary>
    public const int MaxLinks = 128;

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The work on one task, continuing the trace of the Submit that claimed it.</summary>
    public static Activity? StartProcess(ClaimedTask task, ActivityContext submit)
    {
        var activity = Source.StartActivity("task.process", ActivityKind.Consumer, submit);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("taskpipeline.task.id", task.Id.ToString());
            activity.SetTag("taskpipeline.task.type", (int)task.Type);
            activity.SetTag("taskpipeline.task.value", (int)task.Value);
            activity.SetTag("taskpipeline.task.attempt", task.Attempt);
        }

        return activity;
    }

    /// <summary>One statement writing many outcomes; it runs outside any request, so it starts a trace of its own.</summary>
    public static Activity? StartComplete(IReadOnlyList<TaskOutcome> outcomes)
    {
        var links = outcomes.Where(outcome => outcome.Trace != default).Take(MaxLinks).Select(outcome => new ActivityLink(outcome.Trace));
        var activity = Source.StartActivity("tasks.complete", ActivityKind.Internal, parentContext: default, tags: null, links: links);
        activity?.SetTag("taskpipeline.tasks.count", outcomes.Count);
        return activity;
    }
}
