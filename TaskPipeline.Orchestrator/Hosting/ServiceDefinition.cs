namespace TaskPipeline.AppHost.Hosting;

/// <summary>A service resource: its name and what its <c>http</c> endpoint serves.</summary>
/// <param name="Name">The resource name: service discovery key, OTEL_SERVICE_NAME, output prefix.</param>
/// <param name="HttpEndpointLabel">What the <c>http</c> endpoint is, for the resource table (grpc, api).</param>
/// <param name="Http2Only">Whether the <c>http</c> endpoint speaks only HTTP/2 (plaintext gRPC), so clients need prior knowledge.</param>
/// <param name="ReferencesConsumers">Whether it gets the consumers' service discovery variables (Aspire's WithReference).</param>
internal sealed record ServiceDefinition(string Name, string HttpEndpointLabel, bool Http2Only, bool ReferencesConsumers)
{
    /// <summary>Readiness on the management endpoint (ServiceDefaults' MapDefaultEndpoints).</summary>
    public const string HealthPath = "/health";

    /// <summary>Liveness on the management endpoint: checks tagged "live" only (the database's absence does not kill it).</summary>
    public const string AlivePath = "/alive";

    /// <summary>The Prometheus scraping endpoint on the management endpoint.</summary>
    public const string MetricsPath = "/metrics";

    public static readonly ServiceDefinition Consumer = new(PipelineOptions.ConsumerResource, "grpc", Http2Only: true, ReferencesConsumers: false);

    public static readonly ServiceDefinition Producer = new(PipelineOptions.ProducerResource, "api", Http2Only: false, ReferencesConsumers: true);
}
