using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TaskPipeline.Deploy;

/// <summary>
/// What a project's container image is, from the container settings of its .csproj (the ones <c>PublishContainer</c>
/// builds the image from): its repository, the user it runs as, and the port each Kestrel endpoint listens on inside
/// it (<c>ContainerEnvironmentVariable Kestrel__Endpoints__&lt;binding&gt;__Url</c>, declared as a <c>ContainerPort</c>).
/// The manifest's binding ports are the AppHost's local ones; inside the image the endpoints listen on these.
/// </summary>
internal sealed partial class ServiceImage
{
    /// <summary>The non-root <c>app</c> user of the .NET base images, when the project names none.</summary>
    public const int DefaultUserId = 1654;

    private ServiceImage(string repository, int userId, IReadOnlyDictionary<string, int> endpointPorts)
    {
        Repository = repository;
        UserId = userId;
        EndpointPorts = endpointPorts;
    }

    public string Repository { get; }

    public int UserId { get; }

    /// <summary>Kestrel endpoint (= Aspire binding) name → the port it listens on inside the container.</summary>
    public IReadOnlyDictionary<string, int> EndpointPorts { get; }

    public static ServiceImage FromProject(string projectFile)
    {
        var project = XDocument.Load(projectFile);
        var properties = project.Descendants("PropertyGroup").Elements().ToLookup(element => element.Name.LocalName, element => element.Value.Trim(), StringComparer.Ordinal);
        var repository = properties["ContainerRepository"].LastOrDefault()
            ?? System.IO.Path.GetFileNameWithoutExtension(projectFile).ToLowerInvariant().Replace('.', '-');
        var user = properties["ContainerUser"].LastOrDefault();
        var userId = user is null ? DefaultUserId : int.Parse(user, NumberStyles.None, CultureInfo.InvariantCulture);

        var declared = project.Descendants("ContainerPort").Select(port => (string?)port.Attribute("Include")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var variable in project.Descendants("ContainerEnvironmentVariable"))
        {
            var match = KestrelUrl().Match((string?)variable.Attribute("Include") ?? "");
            if (!match.Success)
            {
                continue;
            }

            var port = UrlPort().Match((string?)variable.Attribute("Value") ?? "");
            if (!port.Success || !declared.Contains(port.Groups["port"].Value))
            {
                throw new InvalidDataException($"{projectFile}: {variable.Attribute("Include")?.Value} must listen on a port declared as a ContainerPort");
            }

            ports[match.Groups["endpoint"].Value] = int.Parse(port.Groups["port"].Value, CultureInfo.InvariantCulture);
        }

        if (ports.Count == 0)
        {
            throw new InvalidDataException($"{projectFile} declares no Kestrel endpoint for its container image (ContainerEnvironmentVariable Kestrel__Endpoints__<name>__Url)");
        }

        return new ServiceImage(repository, userId, ports);
    }

    [GeneratedRegex("^Kestrel__Endpoints__(?<endpoint>[^_]+)__Url$")]
    private static partial Regex KestrelUrl();

    [GeneratedRegex(@"^https?://[^/]+:(?<port>\d+)/?$")]
    private static partial Regex UrlPort();
}
