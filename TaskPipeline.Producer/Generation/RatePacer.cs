namespace TaskPipeline.Producer.Generation;

/// <summary>
/// A token bucket on <see cref="TimeProvider"/> timestamps. Allowance is computed from the time elapsed since the
/// pacer was made, not added up per wait, so timer lateness and rounding never drift the rate: over any long span
/// exactly rate × span tasks are allowed, give or take the bucket. The bucket holds at most <see cref="Capacity"/>
/// tasks (100 ms worth, at least one), so nothing bursts after a pause. It starts holding one task.
/// Not thread-safe: one generation loop owns it.
/// </summary>
internal sealed class RatePacer
{
    /// <summary>Timers are not finer than this; waking more often only spins.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan BurstWindow = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private readonly double _ticksPerTask;
    private readonly long _origin;

    // Tasks handed out or spilled from a full bucket since _origin; allowance = earned - _taken.
    private long _taken;

    public RatePacer(double rate, TimeProvider timeProvider)
    {
        if (!double.IsFinite(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be a finite number of tasks per second, 0 for unlimited.");
        }

        Rate = rate;
        _time = timeProvider;
        if (rate > 0)
        {
            _ticksPerTask = timeProvider.TimestampFrequency / rate;
            Capacity = Math.Max(1, (long)(rate * BurstWindow.TotalSeconds));
            _origin = timeProvider.GetTimestamp();
            _taken = -1;
        }
        else
        {
            Capacity = long.MaxValue;
        }
    }

    /// <summary>Tasks per second; 0 is unlimited.</summary>
    public double Rate { get; }

    /// <summary>The most tasks the bucket holds.</summary>
    public long Capacity { get; }

    /// <summary>Takes up to <paramref name="max"/> tasks allowed now, without waiting; 0 when none is.</summary>
    public int TryAcquire(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (Rate == 0)
        {
            return max;
        }

        return Take(Available(_time.GetTimestamp()), max);
    }

    /// <summary>Waits until at least one task is allowed, then takes up to <paramref name="max"/> of those allowed now.</summary>
    public async ValueTask<int> AcquireAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (Rate == 0)
        {
            return max;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _time.GetTimestamp();
            var available = Available(now);
            if (available > 0)
            {
                return Take(available, max);
            }

            var due = _origin + TicksUntil(_taken + 1);
            await Task.Delay(ToTimeSpan(due - now), _time, cancellationToken);
        }
    }

    private int Take(long available, int max)
    {
        var count = (int)Math.Min(available, max);
        _taken += count;
        return count;
    }

    private long Available(long now)
    {
        var earned = Earned(now - _origin);
        if (earned - _taken > Capacity)
        {
            // The bucket was full: what overflowed is gone, or a pause would end in a burst.
            _taken = earned - Capacity;
        }

        return earned - _taken;
    }

    /// <summary>Timestamp ticks after the origin at which the k-th task is earned.</summary>
    private long TicksUntil(long k) => (long)Math.Ceiling(k * _ticksPerTask);

    /// <summary>Tasks earned after <paramref name="elapsed"/> ticks: the largest k with TicksUntil(k) ≤ elapsed.</summary>
    /// <remarks>Defined through <see cref="TicksUntil"/>, so waking at the computed due time always earns the task.</remarks>
    private long Earned(long elapsed)
    {
        var k = (long)Math.Floor(elapsed / _ticksPerTask);
        while (TicksUntil(k + 1) <= elapsed)
        {
            k++;
        }

        while (k > 0 && TicksUntil(k) > elapsed)
        {
            k--;
        }

        return k;
    }

    private TimeSpan ToTimeSpan(long timestampTicks)
    {
        var ticks = (long)Math.Ceiling(timestampTicks * (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency);
        return TimeSpan.FromTicks(Math.Max(ticks, MinimumWait.Ticks));
    }
}
