using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Schema;
using TaskPipeline.AppHost.Hosting;
using TaskPipeline.AppHost.Publishing;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Deploy;

/// <summary>The Aspire manifest azd deploys from: written by the AppHost's command line, checked against Aspire's schema.</summary>
public sealed partial class ManifestPublisherTests : IDisposable
{
    private static readonly string SchemaPath = Path.Combine(AppContext.BaseDirectory, "Schemas", "aspire-8.0.json");

    private readonly string directory = TestDirectories.Create("manifest");

    [Fact]
    public async Task ManifestCommandWritesASchemaValidManifestAndStartsNothing()
    {
        var path = Path.Combine(directory, "apphost-manifest.json");

        var (exitCode, output, error) = await AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", path);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}{error}");
        Assert.Equal($"Published manifest to: {path}", output.Trim());
        // Nothing started: no resource table, no PostgreSQL, no service output.
        Assert.DoesNotContain("Running", output, StringComparison.Ordinal);
        Assert.Empty(error);

        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith("{\n  \"$schema\": \"https://json.schemastore.org/aspire-8.0.json\",", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var schema = JSchema.Parse(await File.ReadAllTextAsync(SchemaPath));
        Assert.True(JObject.Parse(text).IsValid(schema, out IList<string> errors), string.Join("\n", errors));
    }

    [Fact]
    public async Task ManifestDescribesPostgresTheDatabaseThePasswordAndBothServices()
    {
        var (exitCode, output, error) = await AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", directory);
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}{error}");

        // Without .json the path is a directory, as in Aspire.
        var path = Path.Combine(directory, ManifestPublisher.DefaultFileName);
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(path))!["resources"]!.AsObject();

        Assert.Equal(["postgres-password", "postgres", "tasksdb", "consumer", "producer"], resources.Select(r => r.Key));
        Assert.DoesNotContain(resources, r => (string?)r.Value!["type"] == "executable.v0");

        var password = resources["postgres-password"]!;
        Assert.Equal("parameter.v0", (string?)password["type"]);
        Assert.Equal("{postgres-password.inputs.value}", (string?)password["value"]);
        Assert.True((bool)password["inputs"]!["value"]!["secret"]!);
        Assert.Equal(22, (int)password["inputs"]!["value"]!["default"]!["generate"]!["minLength"]!);

        var postgres = resources["postgres"]!;
        Assert.Equal("container.v0", (string?)postgres["type"]);
        Assert.Equal("docker.io/library/postgres:17", (string?)postgres["image"]);
        Assert.Equal("{postgres-password.value}", (string?)postgres["env"]!["POSTGRES_PASSWORD"]);
        Assert.Equal("scram-sha-256", (string?)postgres["env"]!["POSTGRES_HOST_AUTH_METHOD"]);
        Assert.Equal(5432, (int)postgres["bindings"]!["tcp"]!["targetPort"]!);
        Assert.Equal("tcp", (string?)postgres["bindings"]!["tcp"]!["transport"]);
        Assert.Equal("/var/lib/postgresql/data", (string?)postgres["volumes"]![0]!["target"]);
        Assert.Equal(
            "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
            (string?)postgres["connectionString"]);

        Assert.Equal("value.v0", (string?)resources["tasksdb"]!["type"]);
        Assert.Equal("{postgres.connectionString};Database=tasksdb", (string?)resources["tasksdb"]!["connectionString"]);

        foreach (var (name, http2) in new[] { ("consumer", true), ("producer", false) })
        {
            var service = resources[name]!;
            Assert.Equal("project.v0", (string?)service["type"]);
            // Relative to the manifest, and the service's own project file.
            var project = Path.GetFullPath(Path.Combine(directory, (string)service["path"]!));
            Assert.Equal(ServiceProjects.All[name].ProjectFile, project);
            Assert.False(Path.IsPathRooted((string)service["path"]!));

            var http = service["bindings"]!["http"]!;
            Assert.Equal(http2 ? "http2" : "http", (string?)http["transport"]);
            Assert.Equal(ContainerPorts.Http, (int)http["targetPort"]!);
            var management = service["bindings"]!["management"]!;
            Assert.Equal("http", (string?)management["transport"]);
            Assert.Equal(ContainerPorts.Management, (int)management["targetPort"]!);

            var env = service["env"]!;
            Assert.Equal("{tasksdb.connectionString}", (string?)env["ConnectionStrings__tasksdb"]);
            Assert.Equal($"http://+:{{{name}.bindings.http.targetPort}}", (string?)env["Kestrel__Endpoints__http__Url"]);
            Assert.Equal($"http://+:{{{name}.bindings.management.targetPort}}", (string?)env["Kestrel__Endpoints__management__Url"]);
            Assert.Equal("in_memory", (string?)env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"]);
        }

        Assert.Equal("{consumer.bindings.http.url}", (string?)resources["producer"]!["env"]!["services__consumer__http__0"]);
        Assert.Null(resources["consumer"]!["env"]!["services__consumer__http__0"]);
    }

    [Fact]
    public async Task EveryExpressionInTheManifestResolvesToADefinedResourceBindingOrInput()
    {
        var (exitCode, output, error) = await AppHostCommand.RunAsync(
            "--publisher", "manifest", "--output-path", Path.Combine(directory, "m.json"), "--consumers", "3", "--set", "producer:Producer:Rate=250");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}{error}");

        var resources = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "m.json")))!["resources"]!.AsObject();
        var expressions = Strings(resources).SelectMany(text => Expression().Matches(text).Select(match => match.Groups[1].Value)).ToList();

        Assert.Contains("consumer.bindings.http.url", expressions);
        Assert.Contains("postgres-password.inputs.value", expressions);
        Assert.All(expressions, expression => Assert.True(Resolves(resources, expression), $"{{{expression}}} does not resolve"));
        // Settings given with --set reach the deployed service too.
        Assert.Equal("250", (string?)resources["producer"]!["env"]!["Producer__Rate"]);
    }

    [Fact]
    public void SchemaCopyMatchesTheSharedSchema()
    {
        // CI clones the repository beside shared/; a developer's checkout may not have it.
        var shared = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(AppHostCommand.ProjectDirectory)!)!, "shared", "schemas", "aspire-8.0.json");
        if (File.Exists(shared))
        {
            Assert.Equal(File.ReadAllText(shared), File.ReadAllText(SchemaPath));
        }

        Assert.Equal("https://json.schemastore.org/aspire-8.0.json", (string?)JsonNode.Parse(File.ReadAllText(SchemaPath))!["$id"]);
    }

    public void Dispose() => TestDirectories.Delete(directory);

    /// <summary>{resource.connectionString}, {resource.value}, {resource.inputs.name}, {resource.bindings.name.url|host|port|targetPort|scheme}.</summary>
    private static bool Resolves(JsonObject resources, string expression)
    {
        var parts = expression.Split('.');
        if (resources[parts[0]] is not JsonObject resource)
        {
            return false;
        }

        return parts[1..] switch
        {
            ["connectionString"] => resource["connectionString"] is not null,
            ["value"] => (string?)resource["type"] == "parameter.v0" && resource["value"] is not null,
            ["inputs", var input] => resource["inputs"]?[input] is not null,
            ["bindings", var binding, "url" or "host" or "port" or "targetPort" or "scheme"] => resource["bindings"]?[binding] is not null,
            _ => false,
        };
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(property => Strings(property.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Expression();
}
