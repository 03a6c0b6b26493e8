namespace TaskPipeline.ServiceDefaults;

/// <summary>
/// The wait of a loop that polls for work: <c>busy</c> while rounds find work, doubling after each round that found
/// none, up to <c>idle</c>. A deployment with nothing to do then wakes a few times a minute instead of every second,
/// and the first round that finds work brings the loop back to full speed. Not thread-safe: one loop owns it.
/// </summary>
public sealed class IdleBackoff
{
    private readonly TimeSpan _busy;
    private readonly TimeSpan _idle;

    public IdleBackoff(TimeSpan busy, TimeSpan idle)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(busy, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(idle, busy);
        _busy = busy;
        _idle = idle;
        Current = busy;
    }

    /// <summary>How long to wait before the next round.</summary>
    public TimeSpan Current { get; private set; }

    /// <summary>The round found work: the next one comes after the busy wait.</summary>
    public TimeSpan Busy() => Current = _busy;

    /// <summary>The round found nothing: the next one waits twice as long as this one did, at most the idle wait.</summary>
    public TimeSpan Idle() => Current = Current >= _idle / 2 ? _idle : Current * 2;

    /// <summary><see cref="Busy"/> when <paramref name="foundWork"/>, else <see cref="Idle"/>.</summary>
    public TimeSpan After(bool foundWork) => foundWork ? Busy() : Idle();
}
