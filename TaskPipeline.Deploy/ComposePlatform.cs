namespace TaskPipeline.Deploy;

/// <summary>
/// Compose's terms: resources by their service name (a project by the network alias all its replicas share), a
/// generated secret as <c>${VAR:?…}</c> from <c>.env</c>, a literal <c>$</c> as <c>$$</c>.
/// </summary>
internal sealed class ComposePlatform : IDeploymentPlatform
{
    public string Escape(string literal) => literal.Replace("$", "$$", StringComparison.Ordinal);

    public string Host(ManifestResource resource) => resource.Name;

    public string Secret(ManifestResource parameter)
    {
        var variable = Deployment.SecretVariable(parameter);
        return $"${{{variable}:?set {variable} in {ComposeWriter.EnvironmentFileName}}}";
    }
}
