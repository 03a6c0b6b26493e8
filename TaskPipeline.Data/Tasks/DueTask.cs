namespace TaskPipeline.Data.Tasks;

/// <summary>A scheduled task the scheduler made received: due at <paramref name="RunAt"/>, made received <paramref name="Late"/> after it.</summary>
public readonly record struct DueTask(NewTask Task, DateTimeOffset RunAt, TimeSpan Late);
