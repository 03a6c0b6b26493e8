using System.Globalization;

namespace TaskPipeline.AppHost.Publishing;

/// <summary>An endpoint of a service's container: its name, the port it listens on, and what it speaks.</summary>
/// <param name="Name">The Kestrel endpoint and Aspire binding name: <c>http</c> or <c>management</c>.</param>
/// <param name="Transport">Aspire's binding transport: <c>http2</c> for plaintext gRPC (prior knowledge), else <c>http</c>.</param>
internal sealed record ContainerEndpoint(string Name, int TargetPort, string Transport)
{
    public const string Http2Transport = "http2";
    public const string HttpTransport = "http";

    /// <summary>The Kestrel URL inside the container: every interface, the fixed port.</summary>
    public string ListenUrl => $"http://+:{TargetPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The variable that sets it (Aspire's way for projects with Kestrel endpoints of their own).</summary>
    public string KestrelUrlVariable => $"Kestrel__Endpoints__{Name}__Url";
}
