using Grpc.Net.ClientFactory;
using TaskPipeline.Contracts;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// One gRPC client, and so one HTTP/2 connection, per name, used round robin call by call. gRPC multiplexes every
/// call on one connection, and a proxy in front of the Consumer replicas (DCP's, a Kubernetes Service) spreads
/// connections, not calls: over a single connection, or a single busy loop at a low rate, one replica would get every task.
/// </summary>
internal sealed class ConsumerClients(GrpcClientFactory factory, IReadOnlyList<string> names)
{
    private int _next = -1;

    public TaskProcessor.TaskProcessorClient Next() =>
        factory.CreateClient<TaskProcessor.TaskProcessorClient>(names[(int)((uint)Interlocked.Increment(ref _next) % (uint)names.Count)]);
}
