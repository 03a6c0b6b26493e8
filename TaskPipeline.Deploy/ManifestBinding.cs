namespace TaskPipeline.Deploy;

/// <summary>An endpoint of a manifest resource (<c>bindings.&lt;name&gt;</c>).</summary>
/// <param name="TargetPort">The port the resource listens on as the AppHost describes it; null when the manifest leaves it to the platform.</param>
internal sealed record ManifestBinding(string Name, string Scheme, string Transport, int? TargetPort)
{
    /// <summary>Aspire's transport for plaintext HTTP/2 (gRPC with prior knowledge).</summary>
    public const string Http2Transport = "http2";
}
