namespace TaskPipeline.Deploy;

/// <summary>What the manifest does not say and a deployment must: replicas, image names, monitoring.</summary>
internal sealed class DeploymentSettings
{
    /// <summary>Replicas when not given: the AppHost's own defaults (TaskPipeline:ConsumerReplicas / ProducerReplicas), else one.</summary>
    private static readonly Dictionary<string, int> DefaultReplicas = new(StringComparer.Ordinal)
    {
        ["consumer"] = 2,
        ["producer"] = 1,
    };

    /// <summary>Replicas per project resource, as given (<c>--consumers</c>, <c>--producers</c>, <c>--replicas name=N</c>).</summary>
    public Dictionary<string, int> Replicas { get; } = new(StringComparer.Ordinal);

    /// <summary>Prefix of the image references (e.g. <c>myregistry.azurecr.io</c>); null: local images.</summary>
    public string? ImageRegistry { get; set; }

    public string ImageTag { get; set; } = "latest";

    /// <summary>Whether the Compose output runs Prometheus scraping every replica.</summary>
    public bool Prometheus { get; set; } = true;

    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An OTLP collector the services export to; null: none.</summary>
    public string? OtlpEndpoint { get; set; }

    public int ReplicasOf(string project) =>
        Replicas.TryGetValue(project, out var replicas) ? replicas : DefaultReplicas.GetValueOrDefault(project, 1);

    public string ImageReference(string repository) => string.IsNullOrWhiteSpace(ImageRegistry)
        ? $"{repository}:{ImageTag}"
        : $"{ImageRegistry.TrimEnd('/')}/{repository}:{ImageTag}";
}
