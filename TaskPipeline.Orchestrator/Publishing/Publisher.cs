namespace TaskPipeline.AppHost.Publishing;

/// <summary>Writes the deployment files of one kind; starts nothing. (Compose and Kubernetes: TaskPipeline.Deploy, from the Aspire AppHost's manifest.)</summary>
internal static class Publisher
{
    public static readonly IReadOnlyDictionary<string, PublisherKind> Names = new Dictionary<string, PublisherKind>(StringComparer.Ordinal)
    {
        ["manifest"] = PublisherKind.Manifest,
    };

    /// <returns>The files written, the main one first.</returns>
    public static IReadOnlyList<string> Publish(PublisherKind kind, DeploymentModel model, string? outputPath) => kind switch
    {
        PublisherKind.Manifest => ManifestPublisher.Publish(model, outputPath),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown publisher"),
    };
}
