namespace TaskPipeline.Data.Tasks;

/// <summary>A task that reached a terminal state, numbered by <c>event_seq</c>.</summary>
public sealed record TaskEvent(long Sequence, TaskRecord Task);
