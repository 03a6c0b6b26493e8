extern alias consumer;

using consumer::TaskPipeline.Consumer;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Tests.Unit.Consumer;

public sealed class WorkQueueTests
{
    [Fact]
    public void TheOutcomeOfAnEarlierClaimDoesNotForgetTheNextClaimOfTheSameTask()
    {
        var queue = new WorkQueue(Options.Create(new ConsumerOptions()), TimeProvider.System);
        var id = Guid.CreateVersion7();
        Assert.True(queue.TryReserve(2));
        queue.Enqueue([new ClaimedTask(id, 1, 5, Attempt: 1, Claim: 1)]);
        Assert.True(queue.TryGetInFlight(id, 1, out var earlier));

        // Retried and claimed again by this instance, as attempt 1 again: the earlier claim's work is stopped.
        queue.Enqueue([new ClaimedTask(id, 1, 5, Attempt: 1, Claim: 2)]);
        Assert.True(earlier.Token.IsCancellationRequested);

        queue.Forget(id, 1);

        Assert.True(queue.TryGetInFlight(id, 2, out var current));
        Assert.False(current.Token.IsCancellationRequested);
        Assert.False(queue.TryGetInFlight(id, 1, out _));
        queue.Forget(id, 2);
        Assert.Equal(0, queue.InFlightCount);
    }
}
