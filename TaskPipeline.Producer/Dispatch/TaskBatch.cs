using TaskPipeline.Producer.Generation;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>Stored tasks on their way to a Consumer, in creation order.</summary>
internal sealed record TaskBatch(ReadOnlyMemory<GeneratedTask> Tasks)
{
    public int Count => Tasks.Length;
}
