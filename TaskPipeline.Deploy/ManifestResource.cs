using System.Text.Json.Nodes;

namespace TaskPipeline.Deploy;

/// <summary>One resource of the Aspire manifest, its properties as the manifest states them (expressions unresolved).</summary>
internal sealed class ManifestResource
{
    public const string ContainerType = "container.v0";
    public const string ProjectType = "project.v0";
    public const string ParameterType = "parameter.v0";
    public const string ValueType = "value.v0";
    public const string AnnotatedStringType = "annotated.string";

    private readonly JsonObject _json;

    public ManifestResource(string name, JsonObject json)
    {
        Name = name;
        this._json = json;
        Type = Text("type") ?? throw new InvalidDataException($"manifest resource '{name}' has no type");
        Environment = json["env"] is JsonObject env
            ? [.. env.Select(pair => new KeyValuePair<string, string>(pair.Key, pair.Value?.GetValue<string>() ?? ""))]
            : [];
        Bindings = json["bindings"] is JsonObject bindings
            ? bindings.ToDictionary(
                pair => pair.Key,
                pair => new ManifestBinding(
                    pair.Key,
                    pair.Value?["scheme"]?.GetValue<string>() ?? "tcp",
                    pair.Value?["transport"]?.GetValue<string>() ?? "tcp",
                    pair.Value?["targetPort"]?.GetValue<int>()),
                StringComparer.Ordinal)
            : new Dictionary<string, ManifestBinding>(StringComparer.Ordinal);
        Volumes = json["volumes"] is JsonArray volumes
            ? [.. volumes.Select(volume => new ManifestVolume(
                volume?["name"]?.GetValue<string>() ?? throw new InvalidDataException($"a volume of '{name}' has no name"),
                volume["target"]?.GetValue<string>() ?? throw new InvalidDataException($"a volume of '{name}' has no target"),
                volume["readOnly"]?.GetValue<bool>() ?? false))]
            : [];
    }

    public string Name { get; }

    public string Type { get; }

    public string? Image => Text("image");

    public string? ConnectionString => Text("connectionString");

    public string? Value => Text("value");

    /// <summary>A project's .csproj, relative to the manifest's folder.</summary>
    public string? Path => Text("path");

    /// <summary>The filter of an <c>annotated.string</c> (<c>uri</c>: URI-encode the value).</summary>
    public string? Filter => Text("filter");

    /// <summary>In manifest order: Kubernetes' $(VAR) needs a variable defined before the ones using it.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

    public IReadOnlyDictionary<string, ManifestBinding> Bindings { get; }

    public IReadOnlyList<ManifestVolume> Volumes { get; }

    /// <summary>A parameter whose value is secret (<c>inputs.value.secret</c>).</summary>
    public bool IsSecret => _json["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true;

    /// <summary>The minimum length of a parameter the deployment tool generates (<c>inputs.value.default.generate</c>); null: not generated.</summary>
    public int? GeneratedMinLength => _json["inputs"]?["value"]?["default"]?["generate"] is JsonObject generate
        ? generate["minLength"]?.GetValue<int>() ?? 0
        : null;

    public bool IsContainer => Type == ContainerType;

    public bool IsProject => Type == ProjectType;

    private string? Text(string property) => _json[property]?.GetValue<string>();
}
