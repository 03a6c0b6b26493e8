namespace TaskPipeline.Consumer.Processing;

/// <summary>What the database accepted of a batch of outcomes, per task type.</summary>
internal sealed class CompletionResult
{
    public long[] DoneByType { get; } = new long[ConsumerMetrics.TypeCount];

    public long[] ValueSumByType { get; } = new long[ConsumerMetrics.TypeCount];

    public long[] FailedAttemptsByType { get; } = new long[ConsumerMetrics.TypeCount];

    public long[] DeadLetteredByType { get; } = new long[ConsumerMetrics.TypeCount];

    public long Done => DoneByType.Sum();

    public long DeadLettered => DeadLetteredByType.Sum();
}
