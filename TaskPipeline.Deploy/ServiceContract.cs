namespace TaskPipeline.Deploy;

/// <summary>
/// What every service built on TaskPipeline.ServiceDefaults serves on its <c>management</c> endpoint (the AppHost's
/// health check is <c>/health</c> there); the manifest does not carry health checks.
/// </summary>
internal static class ServiceContract
{
    public const string ManagementEndpoint = "management";

    /// <summary>Ready: started, migrated, database reachable.</summary>
    public const string HealthPath = "/health";

    /// <summary>Alive: the process answers.</summary>
    public const string AlivePath = "/alive";

    public const string MetricsPath = "/metrics";
}
