namespace TaskPipeline.Data.Tasks;

/// <summary>One sweep of stale leases: how many expired, and which of them were dead-lettered, per task type.</summary>
public sealed class ExpiryResult
{
    public int Expired { get; set; }

    public long[] DeadLetteredByType { get; } = new long[TaskLimits.TypeCount];

    public long DeadLettered => DeadLetteredByType.Sum();
}
