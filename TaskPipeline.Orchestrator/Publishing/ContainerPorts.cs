namespace TaskPipeline.AppHost.Publishing;

/// <summary>
/// The fixed ports the service images listen on, on every interface: the services' csproj files declare the same ones
/// (ContainerPort, ContainerEnvironmentVariable Kestrel__Endpoints__*__Url), and the container smoke test checks they agree.
/// </summary>
internal static class ContainerPorts
{
    /// <summary>The <c>http</c> endpoint: the Consumer's gRPC (HTTP/2), the Producer's API.</summary>
    public const int Http = 8080;

    /// <summary>The <c>management</c> endpoint: /health, /alive, /metrics over HTTP/1.1.</summary>
    public const int Management = 8081;

    /// <summary>The non-root user of the .NET base images (<c>app</c>), which the images run as.</summary>
    public const int AppUserId = 1654;
}
