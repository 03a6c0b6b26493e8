namespace TaskPipeline.Consumer.Completion;

/// <summary>
/// Items per second, over the last full second or more: cheap enough to feed at every batch, and quick to follow a
/// change of rate. Not thread-safe: one loop owns it.
/// </summary>
internal sealed class ArrivalRate(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private long _windowStart = time.GetTimestamp();
    private long _count;

    /// <summary>The rate of the last completed window; 0 until one is complete.</summary>
    public double PerSecond { get; private set; }

    public void Add(int items)
    {
        _count += items;
        var elapsed = time.GetElapsedTime(_windowStart);
        if (elapsed >= Window)
        {
            PerSecond = _count / elapsed.TotalSeconds;
            _count = 0;
            _windowStart = time.GetTimestamp();
        }
    }
}
