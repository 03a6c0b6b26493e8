namespace TaskPipeline.Producer;

/// <summary>
/// The backlog estimate and the decision whether generation may go on: the last database count of received and
/// processing tasks plus what this Producer stored since. <see cref="Room"/> is what may still be made.
/// The paused state (logged and exported) has hysteresis: it starts when the backlog reaches MaxBacklog and ends
/// only when it is back at <see cref="ResumeMark"/> (half of it). A Consumer slower than the rate keeps the backlog
/// near the limit, where generation runs in small steps as room appears; that is one pause, not one per step.
/// Written by the generation loop only; read from any thread (metrics).
/// </summary>
internal sealed class BacklogGate
{
    private readonly Lock _lock = new();
    private long _counted;
    private long _storedSinceCount;
    private bool _paused;

    public BacklogGate(int maxBacklog)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBacklog, 1);
        MaxBacklog = maxBacklog;
        ResumeMark = maxBacklog / 2;
    }

    public int MaxBacklog { get; }

    /// <summary>A paused gate resumes when the backlog is at or below this.</summary>
    public int ResumeMark { get; }

    public long Backlog
    {
        get
        {
            lock (_lock)
            {
                return _counted + _storedSinceCount;
            }
        }
    }

    /// <summary>MaxBacklog minus the backlog, never negative.</summary>
    public int Room
    {
        get
        {
            lock (_lock)
            {
                return (int)Math.Clamp(MaxBacklog - _counted - _storedSinceCount, 0, MaxBacklog);
            }
        }
    }

    public bool IsPaused
    {
        get
        {
            lock (_lock)
            {
                return _paused;
            }
        }
    }

    /// <summary>A fresh count from the database, which includes everything stored before it.</summary>
    public BacklogChange Update(long databaseCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(databaseCount);
        lock (_lock)
        {
            _counted = databaseCount;
            _storedSinceCount = 0;
            return Evaluate();
        }
    }

    /// <summary><paramref name="count"/> tasks were stored since the last count.</summary>
    public BacklogChange OnStored(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            _storedSinceCount += count;
            return Evaluate();
        }
    }

    private BacklogChange Evaluate()
    {
        var backlog = _counted + _storedSinceCount;
        if (!_paused && backlog >= MaxBacklog)
        {
            _paused = true;
            return BacklogChange.Paused;
        }

        if (_paused && backlog <= ResumeMark)
        {
            _paused = false;
            return BacklogChange.Resumed;
        }

        return BacklogChange.None;
    }
}
