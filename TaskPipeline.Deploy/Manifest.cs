using System.Text.Json.Nodes;

namespace TaskPipeline.Deploy;

/// <summary>The Aspire manifest the AppHost's manifest publisher wrote: its resources by name, in manifest order.</summary>
internal sealed class Manifest
{
    private Manifest(string path, IReadOnlyList<ManifestResource> resources)
    {
        Path = path;
        Resources = resources;
        ByName = resources.ToDictionary(resource => resource.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    public IReadOnlyList<ManifestResource> Resources { get; }

    public IReadOnlyDictionary<string, ManifestResource> ByName { get; }

    public IEnumerable<ManifestResource> Containers => Resources.Where(resource => resource.IsContainer);

    public IEnumerable<ManifestResource> Projects => Resources.Where(resource => resource.IsProject);

    /// <summary>The secret parameters the deployment generates (the PostgreSQL password).</summary>
    public IEnumerable<ManifestResource> GeneratedSecrets => Resources.Where(resource =>
        resource.Type == ManifestResource.ParameterType && resource.IsSecret && resource.GeneratedMinLength is not null);

    public ManifestResource this[string name] =>
        ByName.TryGetValue(name, out var resource) ? resource : throw new InvalidDataException($"the manifest has no resource '{name}'");

    public static Manifest Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} is not a JSON object");
        var resources = root["resources"] as JsonObject ?? throw new InvalidDataException($"{path} has no resources");
        return new Manifest(path, [.. resources.Select(pair => new ManifestResource(
            pair.Key, pair.Value as JsonObject ?? throw new InvalidDataException($"resource '{pair.Key}' is not an object")))]);
    }

    /// <summary>A project's .csproj: the manifest states it relative to its own folder.</summary>
    public string ProjectFile(ManifestResource project) => System.IO.Path.GetFullPath(System.IO.Path.Combine(
        System.IO.Path.GetDirectoryName(Path)!,
        project.Path ?? throw new InvalidDataException($"project '{project.Name}' has no path")));
}
