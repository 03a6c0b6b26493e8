namespace TaskPipeline.Deploy;

/// <summary>What the tool writes.</summary>
internal enum DeployTarget
{
    /// <summary>docker-compose.yaml (+ .env, prometheus.yml).</summary>
    Compose,

    /// <summary>taskpipeline.yaml: plain Kubernetes objects.</summary>
    Kubernetes,
}
