namespace TaskPipeline.Data.Tasks;

/// <summary>What the database accepted of a batch of outcomes, per task type.</summary>
public sealed class CompletionResult
{
    public long[] DoneByType { get; } = new long[TaskLimits.TypeCount];

    public long[] ValueSumByType { get; } = new long[TaskLimits.TypeCount];

    public long[] FailedAttemptsByType { get; } = new long[TaskLimits.TypeCount];

    public long[] DeadLetteredByType { get; } = new long[TaskLimits.TypeCount];

    public long Done => DoneByType.Sum();

    public long DeadLettered => DeadLetteredByType.Sum();
}
