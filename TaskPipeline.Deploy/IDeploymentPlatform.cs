namespace TaskPipeline.Deploy;

/// <summary>How a platform spells what the manifest's expressions refer to.</summary>
internal interface IDeploymentPlatform
{
    /// <summary>A literal part of a value, escaped from the platform's own interpolation.</summary>
    string Escape(string literal);

    /// <summary>The DNS name other containers reach a resource by.</summary>
    string Host(ManifestResource resource);

    /// <summary>A reference to a generated secret's value, resolved by the platform when the container starts.</summary>
    string Secret(ManifestResource parameter);
}
