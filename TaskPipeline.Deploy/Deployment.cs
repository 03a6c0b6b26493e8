namespace TaskPipeline.Deploy;

/// <summary>The manifest plus the deployment settings it lacks: what the Compose and Kubernetes writers translate.</summary>
internal sealed class Deployment
{
    public Deployment(Manifest manifest, DeploymentSettings settings)
    {
        Manifest = manifest;
        Settings = settings;
        Projects = [.. manifest.Projects.Select(project =>
        {
            var image = ServiceImage.FromProject(manifest.ProjectFile(project));
            return new DeployedProject(project, image, settings.ReplicasOf(project.Name), settings.ImageReference(image.Repository));
        })];
        var unknown = settings.Replicas.Keys.Where(name => !Projects.Any(project => project.Name == name)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"replicas for unknown project(s): {string.Join(", ", unknown)}");
        }
    }

    public Manifest Manifest { get; }

    public DeploymentSettings Settings { get; }

    /// <summary>The projects, in manifest order (each with 1 to 64 replicas, as the AppHost allows).</summary>
    public IReadOnlyList<DeployedProject> Projects { get; }

    public DeployedProject? Project(string name) => Projects.FirstOrDefault(project => project.Name == name);

    /// <summary>The environment variable a generated secret parameter lives in (<c>postgres-password</c> → <c>POSTGRES_PASSWORD</c>).</summary>
    public static string SecretVariable(ManifestResource parameter) => parameter.Name.ToUpperInvariant().Replace('-', '_');
}
