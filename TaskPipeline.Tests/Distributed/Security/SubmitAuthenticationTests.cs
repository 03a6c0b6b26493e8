using Grpc.Core;
using Grpc.Net.Client;
using TaskPipeline.Contracts;
using TaskPipeline.Tests.Distributed.Api;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>The Consumer's Submit takes calls only from a caller with its secret, and bytes that are not a request are bad input, not a fault.</summary>
[Collection(SecurityTests.Name)]
public sealed class SubmitAuthenticationTests(SecurityFixture app)
{
    [Fact]
    public async Task SubmitWithoutTheSecretOrWithAWrongOneIsUnauthenticatedAndClaimsNothing()
    {
        var held = await TaskRows.InsertHeldAsync(app.App.ConnectionString, 3, CancellationToken.None);
        var ids = held.Select(task => TaskRows.ToGuid(task.Id)).ToArray();

        foreach (var secret in (string?[])[null, "a-wrong-secret-0123456789abcdef"])
        {
            using var channel = app.App.CreateConsumerChannel(0, secret);
            var error = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(channel, held));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Contains("secret", error.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(3, await app.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE id = ANY($1) AND state = 'received' AND attempts = 0", CancellationToken.None, ids));

        // The same call with the secret claims them: the refusal above was the secret's doing.
        using (var authorized = app.App.CreateConsumerChannel(0))
        {
            Assert.Equal(3, (await SubmitAsync(authorized, held)).Accepted);
        }

        using var management = app.App.CreateHttpClient("consumer", "management");
        var samples = await PrometheusText.ScrapeAsync(management, new Uri("/metrics", UriKind.Relative), CancellationToken.None);
        Assert.True(PrometheusText.SumBy(samples, "taskpipeline_consumer_submits_rejected_total", "reason").GetValueOrDefault("unauthenticated") >= 2);
    }

    [Fact]
    public async Task BytesThatAreNotASubmitRequestAnswerInvalidArgumentWithOneWarningAndNoError()
    {
        using var channel = app.App.CreateConsumerChannel(0);
        // Field 1 (tasks) says 5 bytes follow; one does.
        byte[] truncated = [0x0A, 0x05, 0x01];

        var error = await Assert.ThrowsAsync<RpcException>(() => SendRawAsync(channel, truncated));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a SubmitRequest", error.Status.Detail, StringComparison.Ordinal);
        var logs = await ApiAppFixture.SettleAsync(() => Task.FromResult(app.App.GetLogs("consumer")), lines => lines.Any(line => line.Contains("not a SubmitRequest", StringComparison.Ordinal)));
        Assert.Contains(logs, line => line.Contains("not a SubmitRequest", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, line => line.StartsWith("fail:", StringComparison.Ordinal) || line.Contains("Exception was thrown by handler", StringComparison.Ordinal));
    }

    internal static Task<SubmitReply> SubmitAsync(GrpcChannel channel, IEnumerable<TaskItem> tasks)
    {
        var request = new SubmitRequest();
        request.Tasks.AddRange(tasks);
        return new TaskProcessor.TaskProcessorClient(channel).SubmitAsync(request, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
    }

    /// <summary>Submit with a body of the caller's choosing, as a hostile or broken client would send it.</summary>
    internal static async Task<byte[]> SendRawAsync(GrpcChannel channel, byte[] body)
    {
        var bytes = Marshallers.Create<byte[]>(value => value, value => value);
        var method = new Method<byte[], byte[]>(MethodType.Unary, TaskProcessor.Descriptor.FullName, "Submit", bytes, bytes);
        return await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), body);
    }
}
