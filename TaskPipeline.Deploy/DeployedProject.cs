namespace TaskPipeline.Deploy;

/// <summary>A <c>project.v0</c> resource as it is deployed: its image, replicas and the container port of each binding.</summary>
internal sealed class DeployedProject(ManifestResource resource, ServiceImage image, int replicas, string imageReference)
{
    public ManifestResource Resource { get; } = resource;

    public string Name => Resource.Name;

    public ServiceImage Image { get; } = image;

    public int Replicas { get; } = replicas;

    /// <summary>e.g. <c>registry.example/team/taskpipeline-consumer:latest</c>.</summary>
    public string ImageReference { get; } = imageReference;

    /// <summary>
    /// The manifest's bindings the image serves, in manifest order. The AppHost also describes an <c>https</c> binding
    /// for each project (the launch profile's); the image has no TLS endpoint, so it is not deployed.
    /// </summary>
    public IReadOnlyList<ManifestBinding> Bindings => [.. Resource.Bindings.Values.Where(binding => Image.EndpointPorts.ContainsKey(binding.Name))];

    /// <summary>The port a binding listens on inside the container; null when the image does not serve it.</summary>
    public int? ContainerPort(string binding) => Image.EndpointPorts.TryGetValue(binding, out var port) ? port : null;
}
