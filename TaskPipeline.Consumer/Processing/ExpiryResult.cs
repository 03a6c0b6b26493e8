namespace TaskPipeline.Consumer.Processing;

/// <summary>One sweep of stale leases: how many expired, and which of them were dead-lettered, per task type.</summary>
internal sealed class ExpiryResult
{
    public int Expired { get; set; }

    public long[] DeadLetteredByType { get; } = new long[ConsumerMetrics.TypeCount];

    public long DeadLettered => DeadLetteredByType.Sum();
}
