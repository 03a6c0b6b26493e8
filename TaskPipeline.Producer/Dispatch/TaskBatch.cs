using System.Diagnostics;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// Stored tasks on their way to a Consumer, in creation order; <paramref name="Origins"/> are the spans that stored
/// them (none for tasks the outbox sweep found), which the dispatch span links to.
/// </summary>
internal sealed record TaskBatch(ReadOnlyMemory<NewTask> Tasks, IReadOnlyList<ActivityContext>? Origins = null)
{
    public int Count => Tasks.Length;
}
