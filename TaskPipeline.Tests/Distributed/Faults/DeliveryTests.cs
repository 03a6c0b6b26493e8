using Grpc.Core;
using Grpc.Net.Client;
using TaskPipeline.Contracts;
using TaskPipeline.Tests.Support;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

/// <summary>Deliveries a well-behaved Producer never makes: duplicates and bad input, sent by a test client over real gRPC.</summary>
[Collection(FaultTests.Name)]
public sealed class DeliveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Produced = 300;
    private readonly FaultScenario _scenario = FaultScenario.Create("deliveries", Produced, rate: 1000);

    public Task InitializeAsync() => _scenario.StartAsync();

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Fact]
    public async Task TheSameTaskDeliveredTwiceIsProcessedOnceAndCountedAsADuplicate()
    {
        var held = await TaskRows.InsertHeldAsync(_scenario.App.ConnectionString, 20, CancellationToken.None);
        using var first = _scenario.App.CreateConsumerChannel(0);
        using var second = _scenario.App.CreateConsumerChannel(1);

        var once = await Submit(first, held);
        var again = await Submit(second, held);
        var sameReplica = await Submit(first, held[..5]);

        Assert.Equal((20, 0), (once.Accepted, once.Duplicates));
        Assert.Equal((0, 20), (again.Accepted, again.Duplicates));
        Assert.Equal((0, 5), (sameReplica.Accepted, sameReplica.Duplicates));

        var audit = await _scenario.QuiesceAndAuditAsync(Produced + held.Count);
        output.WriteLine(audit.ToString());
        Assert.Equal(Produced + held.Count, audit.Done);
        Assert.True(audit.Duplicates >= 25, $"{audit.Duplicates} duplicates recorded, 25 sent");
        var attempts = await _scenario.Audit.ScalarAsync(
            "SELECT max(attempts) FROM tasks WHERE id = ANY($1)", CancellationToken.None, held.Select(t => TaskRows.ToGuid(t.Id)).ToArray());
        Assert.Equal(1, attempts);

        // Delivered again once done: still nothing changes.
        var late = await Submit(first, held);
        Assert.Equal((0, 20), (late.Accepted, late.Duplicates));
    }

    [Fact]
    public async Task BadInputIsRejectedWithPreciseStatusWritesNothingAndTheChannelStaysUsable()
    {
        var held = await TaskRows.InsertHeldAsync(_scenario.App.ConnectionString, 3, CancellationToken.None);
        using var channel = _scenario.App.CreateConsumerChannel(0);

        await AssertRejected(channel, StatusCode.InvalidArgument, [], "must contain at least one task");
        await AssertRejected(channel, StatusCode.InvalidArgument, [new TaskItem(held[0]) { Type = 10 }], "tasks[0].type");
        await AssertRejected(channel, StatusCode.InvalidArgument, [new TaskItem(held[0]) { Value = -1 }], "tasks[0].value");
        await AssertRejected(channel, StatusCode.InvalidArgument, [held[0], new TaskItem(held[1]) { Id = Google.Protobuf.ByteString.CopyFrom(held[1].Id.Span[..8]) }], "tasks[1].id");
        await AssertRejected(channel, StatusCode.InvalidArgument, [held[0], held[0]], "tasks[1].id");
        var oversized = Enumerable.Range(0, 1001).Select(_ => new TaskItem { Id = TaskRows.ToBytes(Guid.CreateVersion7()), Type = 1, Value = 1 });
        await AssertRejected(channel, StatusCode.InvalidArgument, oversized, "has 1001 tasks");
        var unknown = new TaskItem { Id = TaskRows.ToBytes(Guid.CreateVersion7()), Type = 1, Value = 1 };
        await AssertRejected(channel, StatusCode.NotFound, [held[0], unknown], "1 of 2");

        var untouched = await _scenario.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE id = ANY($1) AND state = 'received' AND attempts = 0",
            CancellationToken.None,
            held.Select(t => TaskRows.ToGuid(t.Id)).ToArray());
        Assert.Equal(3, untouched);

        var reply = await Submit(channel, held);
        Assert.Equal(3, reply.Accepted);
        await _scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") == Produced + held.Count);
    }

    private static async Task<SubmitReply> Submit(GrpcChannel channel, IEnumerable<TaskItem> tasks)
    {
        var request = new SubmitRequest();
        request.Tasks.AddRange(tasks);
        return await new TaskProcessor.TaskProcessorClient(channel).SubmitAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
    }

    private static async Task AssertRejected(GrpcChannel channel, StatusCode status, IEnumerable<TaskItem> tasks, string detailMentions)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Submit(channel, tasks));
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(detailMentions, error.Status.Detail, StringComparison.Ordinal);
    }
}
