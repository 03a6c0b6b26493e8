using System.Threading.Channels;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Notifications;

/// <summary>
/// One notification stream's share of the live events: those after <see cref="StartPosition"/> that pass its filter,
/// in order. Bounded: a subscriber that falls <see cref="Capacity"/> events behind is ended rather than let hold
/// memory or slow the others; its client reconnects with Last-Event-ID and replays the rest from the table.
/// </summary>
internal sealed class TaskEventSubscription(NotificationFilter filter, long startPosition)
{
    public const int Capacity = 10_000;

    private readonly Channel<TaskEvent> _events = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private volatile bool _overflowed;

    public NotificationFilter Filter { get; } = filter;

    /// <summary>The hub's position when this subscribed: every later event is delivered here, none before.</summary>
    public long StartPosition { get; } = startPosition;

    public ChannelReader<TaskEvent> Events => _events.Reader;

    /// <summary>Ended because it fell too far behind.</summary>
    public bool Overflowed => _overflowed;

    /// <summary>False when the subscriber is full (it must then be ended).</summary>
    public bool TryDeliver(TaskEvent taskEvent) => !Filter.Matches(taskEvent) || _events.Writer.TryWrite(taskEvent);

    public void End(bool overflowed)
    {
        _overflowed = overflowed;
        _events.Writer.TryComplete();
    }
}
