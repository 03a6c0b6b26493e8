using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Publishing;

/// <summary>A service as it is deployed: its container image, replicas, endpoints and environment.</summary>
/// <param name="Definition">The same definition the AppHost runs the service from (name, gRPC or not).</param>
/// <param name="ProjectFile">The service's .csproj (azd builds the image from it).</param>
/// <param name="Image">The image reference, e.g. <c>taskpipeline-consumer:latest</c>.</param>
internal sealed record DeployedService(ServiceDefinition Definition, int Replicas, string ProjectFile, string Image)
{
    public string Name => Definition.Name;

    /// <summary>gRPC over plaintext HTTP/2 for the Consumer (prior knowledge), HTTP/1.1 for the Producer's API.</summary>
    public ContainerEndpoint Http { get; } = new(
        PipelineApp.HttpEndpoint,
        ContainerPorts.Http,
        Definition.Http2Only ? ContainerEndpoint.Http2Transport : ContainerEndpoint.HttpTransport);

    public ContainerEndpoint Management { get; } = new(PipelineApp.ManagementEndpoint, ContainerPorts.Management, ContainerEndpoint.HttpTransport);

    public IReadOnlyList<ContainerEndpoint> Endpoints => [Http, Management];

    /// <summary>In order: a publisher that needs a variable defined before another (Kubernetes' $(VAR)) keeps it.</summary>
    public IReadOnlyList<EnvEntry> Environment { get; init; } = [];
}
