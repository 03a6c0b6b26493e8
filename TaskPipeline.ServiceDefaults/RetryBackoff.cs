namespace TaskPipeline.ServiceDefaults;

/// <summary>
/// Capped exponential backoff with jitter: attempt n waits a random time from the base delay up to base × 2ⁿ (capped).
/// The one retry schedule of every service, so replicas that lost the database together do not retry in lock-step.
/// </summary>
public sealed class RetryBackoff(TimeSpan baseDelay, TimeSpan maxDelay, Random random)
{
    public TimeSpan Next(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var cap = baseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        cap = Math.Min(cap, maxDelay.Ticks);
        var ticks = baseDelay.Ticks + (random.NextDouble() * Math.Max(0, cap - baseDelay.Ticks));
        return TimeSpan.FromTicks((long)ticks);
    }
}
