namespace TaskPipeline.Consumer.Work;

/// <summary>The simulated cost of a task: proportional to its value.</summary>
internal static class WorkDelay
{
    public static TimeSpan For(int value, TimeSpan delayPerValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return TimeSpan.FromTicks(checked(delayPerValue.Ticks * value));
    }
}
