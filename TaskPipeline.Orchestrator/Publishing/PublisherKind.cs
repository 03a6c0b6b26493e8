namespace TaskPipeline.AppHost.Publishing;

/// <summary>What <c>--publisher</c> writes.</summary>
internal enum PublisherKind
{
    /// <summary>The Aspire manifest azd deploys from.</summary>
    Manifest,

    /// <summary>docker-compose.yaml (+ .env, prometheus.yml).</summary>
    Compose,

    /// <summary>Plain Kubernetes YAML.</summary>
    Kubernetes,
}
