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
        lock (_lock)
        {
            _completed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.End(overflowed: false);
            }

            _subscriptions.Clear();
        }
    }
}
