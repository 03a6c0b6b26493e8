namespace TaskPipeline.AppHost.Publishing;

/// <summary>
/// An environment value as the app model states it; each publisher renders it in its own language (Aspire expressions,
/// Compose interpolation, Kubernetes variable references).
/// </summary>
internal abstract record EnvValue
{
    /// <summary>A fixed value.</summary>
    public sealed record Literal(string Value) : EnvValue;

    /// <summary>The Kestrel URL of one of the service's own endpoints.</summary>
    public sealed record ListenUrl(ContainerEndpoint Endpoint) : EnvValue;

    /// <summary>The database's connection string (Aspire's format, password included).</summary>
    public sealed record ConnectionString(string Database) : EnvValue;

    /// <summary>
    /// Service discovery entries for another service's endpoint: the variable's name is the prefix
    /// (<c>services__consumer__http</c>) and each publisher writes <c>__0</c>, <c>__1</c>, … as its platform needs.
    /// </summary>
    public sealed record ServiceEndpoints(DeployedService Service, ContainerEndpoint Endpoint) : EnvValue;
}
