extern alias producer;

using producer::TaskPipeline.Producer.Notifications;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Tests.Unit.Producer.Notifications;

/// <summary>The fan-out behind the notification streams, without a database.</summary>
public sealed class TaskEventHubTests
{
    [Fact]
    public void ASubscriptionStartsAtTheHubsPositionAndGetsLaterEventsThatPassItsFilter()
    {
        var hub = new TaskEventHub();
        hub.Start(10);
        Assert.True(NotificationFilter.TryParse("failed", out var failedOnly));
        var failed = hub.Subscribe(failedOnly);
        var all = hub.Subscribe(NotificationFilter.All);

        hub.Publish([Event(11, TaskState.Done), Event(12, TaskState.Failed), Event(13, TaskState.Canceled)]);

        Assert.Equal(10, failed.StartPosition);
        Assert.Equal(13, hub.Position);
        Assert.Equal([12L], Drain(failed));
        Assert.Equal([11L, 12L, 13L], Drain(all));
        var late = hub.Subscribe(NotificationFilter.All);
        Assert.Equal(13, late.StartPosition);
    }

    [Fact]
    public async Task AFirstStreamWaitsForTheRelayToReadToTheEndAndWakesItForThat()
    {
        var hub = new TaskEventHub();
        var wakes = 0;
        hub.OnCatchUpRequested(() => wakes++);
        hub.Start(10);

        var catchingUp = hub.CatchUpAsync();
        var sameRead = hub.CatchUpAsync();

        Assert.False(catchingUp.IsCompleted);
        Assert.True(hub.CatchUpRequested);
        Assert.Equal(2, wakes);
        // The relay read the numbers to the end while nobody listened, then says so.
        Assert.True(hub.TryAdvanceUnobserved(42));
        hub.CaughtUp();
        await catchingUp.WaitAsync(TimeSpan.FromSeconds(5));
        await sameRead.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(hub.CatchUpRequested);
        Assert.Equal(42, hub.Subscribe(NotificationFilter.All).StartPosition);
    }

    [Fact]
    public void WhileAStreamIsOpenTheRelayIsLiveSoANewStreamNeedNotWait()
    {
        var hub = new TaskEventHub();
        var wakes = 0;
        hub.OnCatchUpRequested(() => wakes++);
        hub.Start(0);
        hub.Subscribe(NotificationFilter.All);

        Assert.True(hub.CatchUpAsync().IsCompletedSuccessfully);
        Assert.Equal(0, wakes);
        Assert.False(hub.CatchUpRequested);
    }

    [Fact]
    public async Task AStreamWaitingToCatchUpGoesOnWhenTheHubCompletes()
    {
        var hub = new TaskEventHub();
        hub.Start(0);
        var catchingUp = hub.CatchUpAsync();

        hub.Complete();

        await catchingUp.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(hub.Subscribe(NotificationFilter.All).Events.Completion.IsCompleted);
    }

    [Fact]
    public void ASubscriberThatFallsTooFarBehindIsEndedAndTheOthersGoOn()
    {
        var hub = new TaskEventHub();
        hub.Start(0);
        var slow = hub.Subscribe(NotificationFilter.All);
        var fast = hub.Subscribe(NotificationFilter.All);

        for (var sequence = 1L; sequence <= TaskEventSubscription.Capacity + 1; sequence++)
        {
            hub.Publish([Event(sequence, TaskState.Done)]);
            Drain(fast);
        }

        Assert.True(slow.Overflowed);
        Assert.Equal(TaskEventSubscription.Capacity, Drain(slow).Count);
        Assert.True(slow.Events.Completion.IsCompleted);
        Assert.False(fast.Overflowed);
        Assert.Equal(1, hub.SubscriberCount);
    }

    [Fact]
    public void EventsNobodyWatchedAreSkippedOnlyWhileNobodyIsSubscribed()
    {
        var hub = new TaskEventHub();
        hub.Start(5);

        Assert.True(hub.TryAdvanceUnobserved(50));
        var subscription = hub.Subscribe(NotificationFilter.All);
        Assert.False(hub.TryAdvanceUnobserved(80));

        Assert.Equal(50, subscription.StartPosition);
        Assert.Equal(50, hub.Position);
        hub.Unsubscribe(subscription);
        Assert.True(hub.TryAdvanceUnobserved(80));
    }

    [Fact]
    public void CompletingTheHubEndsEveryStreamIncludingLaterOnes()
    {
        var hub = new TaskEventHub();
        hub.Start(0);
        var open = hub.Subscribe(NotificationFilter.All);

        hub.Complete();
        var later = hub.Subscribe(NotificationFilter.All);

        Assert.True(open.Events.Completion.IsCompleted);
        Assert.True(later.Events.Completion.IsCompleted);
        Assert.False(open.Overflowed);
        Assert.Equal(0, hub.SubscriberCount);
    }

    [Theory]
    [InlineData(null, "all")]
    [InlineData("", "all")]
    [InlineData("COMPLETED", "completed")]
    [InlineData("canceled", "canceled")]
    public void NotificationTypesParseCaseInsensitivelyWithAllAsTheDefault(string? text, string expected)
    {
        Assert.True(NotificationFilter.TryParse(text, out var filter));
        Assert.Equal(expected, filter.Name);
    }

    [Fact]
    public void UnknownNotificationTypesAreRejected() => Assert.False(NotificationFilter.TryParse("done", out _));

    private static TaskEvent Event(long sequence, TaskState state)
    {
        var now = DateTimeOffset.UtcNow;
        return new TaskEvent(sequence, new TaskRecord(Guid.CreateVersion7(), 1, 2, state, 1, null, now, now, now, null, TaskLimits.DefaultPriority));
    }

    private static List<long> Drain(TaskEventSubscription subscription)
    {
        var sequences = new List<long>();
        while (subscription.Events.TryRead(out var taskEvent))
        {
            sequences.Add(taskEvent.Sequence);
        }

        return sequences;
    }
}
