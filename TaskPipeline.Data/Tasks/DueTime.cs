namespace TaskPipeline.Data.Tasks;

/// <summary>When a new task is due: at a time, after a delay from the database's now, or at once (neither).</summary>
public readonly record struct DueTime(DateTimeOffset? At, TimeSpan? Delay)
{
    public static DueTime Now => default;

    public bool IsDelayed => At is not null || Delay is not null;
}
