using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TaskPipeline.Deploy;

/// <summary>
/// Resolves the manifest's expressions (<c>{postgres.bindings.tcp.host}</c>, <c>{tasksdb.connectionString}</c>,
/// <c>{consumer.bindings.http.url}</c>, <c>{postgres-password.value}</c>, …) into a platform's terms: DNS names of
/// resources, the ports containers listen on, references to generated secrets. Literal text is escaped from the
/// platform's interpolation. Remembers which container and project resources a value referred to (depends_on).
/// </summary>
internal sealed partial class ExpressionResolver(Deployment deployment, IDeploymentPlatform platform)
{
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);

    /// <summary>The container and project resources the values resolved so far refer to.</summary>
    public IReadOnlySet<string> Referenced => _referenced;

    /// <returns>False when the value refers to a binding the image does not serve (the <c>https</c> one): leave it out.</returns>
    public bool TryResolve(string expression, out string resolved)
    {
        var output = new StringBuilder();
        var position = 0;
        foreach (Match reference in Reference().Matches(expression))
        {
            output.Append(platform.Escape(Unescape(expression[position..reference.Index])));
            if (!TryResolveReference(reference.Groups["path"].Value.Split('.'), out var value))
            {
                resolved = "";
                return false;
            }

            output.Append(value);
            position = reference.Index + reference.Length;
        }

        output.Append(platform.Escape(Unescape(expression[position..])));
        resolved = output.ToString();
        return true;
    }

    public string Resolve(string expression) => TryResolve(expression, out var resolved)
        ? resolved
        : throw new InvalidDataException($"'{expression}' refers to an endpoint no container serves");

    /// <summary>The container port of a binding: a project's from its image, a container's from the manifest.</summary>
    public int? Port(ManifestResource resource, string binding)
    {
        if (resource.IsProject)
        {
            return (deployment.Project(resource.Name) ?? throw new InvalidDataException($"no project '{resource.Name}'")).ContainerPort(binding);
        }

        return resource.Bindings.TryGetValue(binding, out var endpoint)
            ? endpoint.TargetPort ?? throw new InvalidDataException($"{resource.Name}'s binding '{binding}' has no targetPort")
            : throw new InvalidDataException($"{resource.Name} has no binding '{binding}'");
    }

    private bool TryResolveReference(string[] path, out string value)
    {
        var resource = deployment.Manifest[path[0]];
        value = "";
        switch (path[1..])
        {
            case ["connectionString"]:
                return TryResolve(resource.ConnectionString ?? throw new InvalidDataException($"{resource.Name} has no connectionString"), out value);
            case ["value"] when resource.Type == ManifestResource.ParameterType:
                if (!resource.IsSecret || resource.GeneratedMinLength is null)
                {
                    throw new InvalidDataException($"parameter '{resource.Name}' is not a generated secret: only generated secret parameters are supported");
                }

                value = platform.Secret(resource);
                return true;
            case ["value"] when resource.Type == ManifestResource.AnnotatedStringType:
                // The generated secrets are letters and digits (GeneratedPassword): URI-encoding leaves them as they are,
                // so the platform's own reference to the secret is already the encoded value.
                if (resource.Filter is not (null or "uri") || resource.Value is not { } annotated || !IsGeneratedSecretValue(annotated))
                {
                    throw new InvalidDataException($"'{resource.Name}' ({resource.Filter} of {resource.Value}) cannot be resolved by Compose or Kubernetes");
                }

                return TryResolve(annotated, out value);
            case ["value"] when resource.Type == ManifestResource.ValueType:
                return TryResolve(resource.Value ?? resource.ConnectionString ?? "", out value);
            case ["bindings", var binding, var property]:
                return TryResolveBinding(resource, binding, property, out value);
            default:
                throw new InvalidDataException($"unsupported manifest expression {{{string.Join('.', path)}}}");
        }
    }

    private bool TryResolveBinding(ManifestResource resource, string binding, string property, out string value)
    {
        value = "";
        if (!resource.Bindings.TryGetValue(binding, out var endpoint))
        {
            throw new InvalidDataException($"{resource.Name} has no binding '{binding}'");
        }

        if (Port(resource, binding) is not { } port)
        {
            return false;
        }

        _referenced.Add(resource.Name);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        value = property switch
        {
            "host" => platform.Host(resource),
            "port" or "targetPort" => portText,
            "scheme" => endpoint.Scheme,
            "url" => $"{endpoint.Scheme}://{platform.Host(resource)}:{portText}",
            _ => throw new InvalidDataException($"unsupported binding property {resource.Name}.bindings.{binding}.{property}"),
        };
        return true;
    }

    private bool IsGeneratedSecretValue(string expression) => Reference().Match(expression) is { Success: true } match
        && match.Value == expression
        && match.Groups["path"].Value.Split('.') is [var name, "value"]
        && deployment.Manifest.GeneratedSecrets.Any(secret => secret.Name == name);

    /// <summary>The manifest writes a literal brace doubled.</summary>
    private static string Unescape(string literal) =>
        literal.Replace("{{", "{", StringComparison.Ordinal).Replace("}}", "}", StringComparison.Ordinal);

    [GeneratedRegex(@"(?<!\{)\{(?<path>[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+)\}(?!\})")]
    private static partial Regex Reference();
}
