namespace TaskPipeline.AppHost.Publishing;

/// <summary>What <c>--publisher</c> writes.</summary>
internal enum PublisherKind
{
    /// <summary>The Aspire manifest azd deploys from.</summary>
    Manifest,
}
