using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Notifications;

/// <summary>
/// Fans the events the <see cref="TaskEventRelay"/> reads out to the notification streams of this process. Its
/// position is the last event published: a stream that subscribes gets every event after it live, and replays what
/// it asked for up to it from the table, so nothing falls between the two.
/// </summary>
internal sealed class TaskEventHub
{
    private readonly Lock _lock = new();
    private readonly List<TaskEventSubscription> _subscriptions = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;
    private bool _completed;

    // A stream about to subscribe while none is open waits for this: the relay's next read to the end of the table.
    private TaskCompletionSource? _caughtUp;
    private Action? _wakeRelay;

    /// <summary>Completes once the relay has read its starting position from the database.</summary>
    public Task Started => _started.Task;

    public long Position
    {
        get
        {
            lock (_lock)
            {
                return _position;
            }
        }
    }

    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>Whether a stream waits for <see cref="CatchUpAsync"/>: the relay must read now, not at its next poll.</summary>
    public bool CatchUpRequested
    {
        get
        {
            lock (_lock)
            {
                return _caughtUp is not null;
            }
        }
    }

    /// <summary>The relay's way to be woken when a stream wants its position brought up to date.</summary>
    public void OnCatchUpRequested(Action wake) => _wakeRelay = wake;

    /// <summary>
    /// Completes once the position is up to date: at once while streams are open (the relay then reads at every
    /// notification); otherwise after the relay's next read to the end of the table, which it makes now. While nobody
    /// listens the relay skips notifications and moves the position only every few seconds, so without this a first
    /// stream would start from a position seconds old and get those seconds' events as new.
    /// </summary>
    public Task CatchUpAsync()
    {
        Task caughtUp;
        lock (_lock)
        {
            if (_subscriptions.Count > 0 || _completed)
            {
                return Task.CompletedTask;
            }

            _caughtUp ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            caughtUp = _caughtUp.Task;
        }

        _wakeRelay?.Invoke();
        return caughtUp;
    }

    /// <summary>The relay read to the end of the table (or to a gap it must wait at): streams waiting to subscribe go on.</summary>
    public void CaughtUp()
    {
        TaskCompletionSource? caughtUp;
        lock (_lock)
        {
            caughtUp = _caughtUp;
            _caughtUp = null;
        }

        caughtUp?.TrySetResult();
    }

    public void Start(long position)
    {
        lock (_lock)
        {
            _position = position;
        }

        _started.TrySetResult();
    }

    /// <summary>A new subscription from the current position. Once the hub is complete, it is born ended.</summary>
    public TaskEventSubscription Subscribe(NotificationFilter filter)
    {
        lock (_lock)
        {
            var subscription = new TaskEventSubscription(filter, _position);
            if (_completed)
            {
                subscription.End(overflowed: false);
            }
            else
            {
                _subscriptions.Add(subscription);
            }

            return subscription;
        }
    }

    public void Unsubscribe(TaskEventSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>Delivers events (ascending, all after the position) to every subscriber; a full one is ended.</summary>
    public void Publish(IReadOnlyList<TaskEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            for (var i = _subscriptions.Count - 1; i >= 0; i--)
            {
                var subscription = _subscriptions[i];
                foreach (var taskEvent in events)
                {
                    if (!subscription.TryDeliver(taskEvent))
                    {
                        subscription.End(overflowed: true);
                        _subscriptions.RemoveAt(i);
                        break;
                    }
                }
            }

            _position = events[^1].Sequence;
        }
    }

    /// <summary>
    /// Moves the position past events nobody was subscribed to; false (and nothing moves) when a stream subscribed
    /// since the relay looked: those events must then be read and published.
    /// </summary>
    public bool TryAdvanceUnobserved(long position)
    {
        lock (_lock)
        {
            if (_subscriptions.Count > 0)
            {
                return false;
            }

            _position = position;
            return true;
        }
    }

    /// <summary>No more events (the relay stopped): every stream ends.</summary>
    public void Complete()
    {
        TaskCompletionSource? caughtUp;
        lock (_lock)
        {
            _completed = true;
            caughtUp = _caughtUp;
            _caughtUp = null;
            foreach (var subscription in _subscriptions)
            {
                subscription.End(overflowed: false);
            }

            _subscriptions.Clear();
        }

        caughtUp?.TrySetResult();
    }
}
