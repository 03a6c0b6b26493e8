using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Schema;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// The Aspire manifest azd deploys from, written by the real Aspire AppHost's manifest publisher run as a process the
/// way azd runs it (in the AppHost's folder, <c>--publisher manifest --output-path &lt;temp&gt;/apphost-manifest.json</c>),
/// checked against Aspire's schema and against what azd's manifest reader accepts.
/// </summary>
public sealed partial class ManifestPublisherTests : IDisposable
{
    /// <summary>
    /// Every resource type azd's <c>infraGenerator.LoadManifest</c> accepts (Azure/azure-dev,
    /// cli/azd/pkg/apphost/generate.go, checked at commit ae35809f); any other type fails with
    /// "unsupported resource type". <c>annotated.string</c> is read since azd 1.20.3, and only with the filter "uri".
    /// </summary>
    private static readonly string[] AzdResourceTypes =
    [
        "project.v0", "project.v1", "container.v0", "container.v1", "dockerfile.v0", "dapr.v0", "dapr.component.v0",
        "parameter.v0", "value.v0", "annotated.string", "azure.bicep.v0", "azure.bicep.v1",
    ];

    private static readonly string[] TopLevelProperties = ["$schema", "resources"];

    private static readonly string[] ProjectTypes = ["project.v0", "project.v1"];

    private static readonly string SchemaPath = Path.Combine(AppContext.BaseDirectory, "Schemas", "aspire-8.0.json");

    private readonly string _directory = TestDirectories.Create("manifest");

    [Fact]
    public async Task ManifestPublisherWritesASchemaValidManifestAndStartsNothing()
    {
        var path = Path.Combine(_directory, "apphost-manifest.json");
        // The real AppHost (azd finds it by IsAspireHost in its project file), from its own build output.
        Assert.Contains("Aspire.AppHost.Sdk", await File.ReadAllTextAsync(Path.Combine(AppHostProcess.ProjectDirectory, "TaskPipeline.AppHost.csproj")), StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(AppHostProcess.ProjectDirectory, "bin") + Path.DirectorySeparatorChar, AppHostProcess.Assembly, StringComparison.Ordinal);

        var run = await AppHostProcess.RunAsync("--publisher", "manifest", "--output-path", path);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Output}{run.Error}");
        Assert.Contains($"Published manifest to: {path}", run.Output, StringComparison.Ordinal);
        // Nothing started: no DCP, no dashboard, no PostgreSQL; and no process of the run is left behind.
        Assert.DoesNotContain("Distributed application started", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Login to the dashboard", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
        Assert.Empty(run.LeftRunning);

        var text = await File.ReadAllTextAsync(path);
        var manifest = JObject.Parse(text);
        // Aspire 13.6.5 no longer writes "$schema" (the 8.x publisher wrote it first); azd does not read it. Whatever
        // the publisher writes at the top, "$schema" (if any) comes first and names the schema we validate against.
        var topLevel = manifest.Properties().Select(p => p.Name).ToList();
        Assert.Contains("resources", topLevel);
        Assert.All(topLevel, name => Assert.Contains(name, TopLevelProperties));
        if (manifest["$schema"] is { } schemaId)
        {
            Assert.Equal("$schema", topLevel[0]);
            Assert.Equal("https://json.schemastore.org/aspire-8.0.json", (string?)schemaId);
        }

        var schema = JSchema.Parse(await File.ReadAllTextAsync(SchemaPath));
        Assert.True(manifest.IsValid(schema, out IList<string> errors), string.Join("\n", errors));
    }

    [Fact]
    public async Task ManifestDescribesPostgresTheDatabaseThePasswordAndBothServices()
    {
        var resources = await PublishAsync(Path.Combine(_directory, "apphost-manifest.json"));

        Assert.Equal(
            ["consumer", "consumer-submit-secret", "postgres", "postgres-password", "postgres-password-uri-encoded", "producer", "tasksdb"],
            resources.Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(resources, r => (string?)r.Value!["type"] == "executable.v0");

        var password = resources["postgres-password"]!;
        Assert.Equal("parameter.v0", (string?)password["type"]);
        Assert.Equal("{postgres-password.inputs.value}", (string?)password["value"]);
        Assert.Equal("string", (string?)password["inputs"]!["value"]!["type"]);
        Assert.True((bool)password["inputs"]!["value"]!["secret"]!);
        Assert.Equal(22, (int)password["inputs"]!["value"]!["default"]!["generate"]!["minLength"]!);

        var postgres = resources["postgres"]!;
        Assert.Equal("container.v0", (string?)postgres["type"]);
        Assert.Matches(@"^(docker\.io/library/)?postgres:[0-9][0-9.]*$", (string?)postgres["image"]);
        Assert.Equal("{postgres-password.value}", (string?)postgres["env"]!["POSTGRES_PASSWORD"]);
        Assert.Equal("scram-sha-256", (string?)postgres["env"]!["POSTGRES_HOST_AUTH_METHOD"]);
        Assert.Equal(5432, (int)postgres["bindings"]!["tcp"]!["targetPort"]!);
        Assert.Equal("tcp", (string?)postgres["bindings"]!["tcp"]!["transport"]);
        // WithDataVolume: the data survives a new revision of the container.
        Assert.StartsWith("/var/lib/postgresql", (string?)postgres["volumes"]![0]!["target"], StringComparison.Ordinal);
        Assert.False((bool)postgres["volumes"]![0]!["readOnly"]!);
        Assert.Equal(
            "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
            (string?)postgres["connectionString"]);

        Assert.Equal("value.v0", (string?)resources["tasksdb"]!["type"]);
        Assert.Equal("{postgres.connectionString};Database=tasksdb", (string?)resources["tasksdb"]!["connectionString"]);

        var repository = AppHostProcess.RepositoryDirectory;
        foreach (var (name, project, http2) in new[] { ("consumer", "TaskPipeline.Consumer", true), ("producer", "TaskPipeline.Producer", false) })
        {
            var service = resources[name]!;
            Assert.Contains((string?)service["type"], ProjectTypes);
            // Relative to the manifest's folder, as azd resolves it, and the service's own project file.
            Assert.False(Path.IsPathRooted((string)service["path"]!));
            Assert.Equal(
                Path.Combine(repository, project, $"{project}.csproj"),
                Path.GetFullPath(Path.Combine(_directory, (string)service["path"]!)));

            var bindings = service["bindings"]!.AsObject();
            var http = bindings["http"]!;
            Assert.Equal("http", (string?)http["scheme"]);
            Assert.Equal(http2 ? "http2" : "http", (string?)http["transport"]);
            Assert.NotNull(http["targetPort"]);
            var management = bindings["management"]!;
            Assert.Equal("http", (string?)management["scheme"]);
            Assert.Equal("http", (string?)management["transport"]);
            Assert.NotEqual((int)http["targetPort"]!, (int)management["targetPort"]!);
            // Nothing is exposed outside the container apps environment (azd allows one external HTTP group at most).
            Assert.All(bindings, binding => Assert.NotEqual(true, (bool?)binding.Value!["external"]));

            var env = service["env"]!;
            Assert.Equal("{tasksdb.connectionString}", (string?)env["ConnectionStrings__tasksdb"]);
            Assert.Equal($"http://*:{{{name}.bindings.http.targetPort}}", (string?)env["Kestrel__Endpoints__http__Url"]);
            Assert.Equal($"http://*:{{{name}.bindings.management.targetPort}}", (string?)env["Kestrel__Endpoints__management__Url"]);
            Assert.Equal("in_memory", (string?)env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"]);
        }

        var producerEnv = resources["producer"]!["env"]!.AsObject();
        Assert.Equal("{consumer.bindings.http.url}", (string?)producerEnv["services__consumer__http__0"]);
        Assert.Equal("{consumer.bindings.management.url}", (string?)producerEnv["services__consumer__management__0"]);
        Assert.All(
            producerEnv.Where(variable => variable.Key.StartsWith("services__consumer__", StringComparison.Ordinal)),
            variable => Assert.Matches(@"^\{consumer\.bindings\.[a-z0-9]+\.url\}$", (string?)variable.Value));
        Assert.DoesNotContain(resources["consumer"]!["env"]!.AsObject(), variable => variable.Key.StartsWith("services__consumer__", StringComparison.Ordinal));

        // The Submit secret is generated by the deployment and given to both sides; the API's credentials are the
        // operator's to give (no development key is published).
        var submitSecret = resources["consumer-submit-secret"]!;
        Assert.True((bool)submitSecret["inputs"]!["value"]!["secret"]!);
        Assert.True((int)submitSecret["inputs"]!["value"]!["default"]!["generate"]!["minLength"]! >= 32);
        Assert.Equal("{consumer-submit-secret.value}", (string?)resources["consumer"]!["env"]!["Consumer__SubmitSecret"]);
        Assert.Equal("{consumer-submit-secret.value}", (string?)producerEnv["Producer__ConsumerSecret"]);
        Assert.DoesNotContain(producerEnv, variable => variable.Key.StartsWith("Auth__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryExpressionInTheManifestResolvesToADefinedResourceBindingOrInput()
    {
        // Settings given on the command line (as azd passes none, through configuration) reach the deployed service too.
        var resources = await PublishAsync(Path.Combine(_directory, "m.json"), "--TaskPipeline:ConsumerReplicas=3", "--producer:Producer:Rate=250");

        var expressions = Strings(resources).SelectMany(text => Expression().Matches(text).Select(match => match.Groups[1].Value)).ToList();

        Assert.Contains("consumer.bindings.http.url", expressions);
        Assert.Contains("postgres-password.inputs.value", expressions);
        Assert.Contains("tasksdb.connectionString", expressions);
        Assert.All(expressions, expression => Assert.True(Resolves(resources, expression), $"{{{expression}}} does not resolve"));
        Assert.Equal("250", (string?)resources["producer"]!["env"]!["Producer__Rate"]);
    }

    [Fact]
    public async Task EveryResourceTypeInTheManifestIsOneAzdAccepts()
    {
        var resources = await PublishAsync(Path.Combine(_directory, "apphost-manifest.json"));

        Assert.All(resources, resource => Assert.True(
            AzdResourceTypes.Contains((string?)resource.Value!["type"]),
            $"{resource.Key}: azd fails with \"unsupported resource type: {(string?)resource.Value!["type"]}\""));

        // azd evaluates {x.value} of an annotated.string only with the filter "uri" (and fails on any other).
        var annotated = resources.Where(r => (string?)r.Value!["type"] == "annotated.string").ToList();
        Assert.All(annotated, resource => Assert.Equal("uri", (string?)resource.Value!["filter"]));
        Assert.All(annotated, resource => Assert.True(Resolves(resources, Expression().Match((string)resource.Value!["value"]!).Groups[1].Value)));

        // azd requires every input to be a string with default.generate.minLength (it generates the value).
        foreach (var (name, resource) in resources)
        {
            foreach (var (input, value) in resource!["inputs"]?.AsObject() ?? [])
            {
                Assert.Equal("string", (string?)value!["type"]);
                Assert.True(value["default"]?["generate"]?["minLength"] is not null, $"{name}.inputs.{input} has no default.generate.minLength");
            }

            // A TCP binding needs a container port (azd's validateBindings).
            foreach (var (binding, value) in resource["bindings"]?.AsObject() ?? [])
            {
                if ((string?)value!["scheme"] == "tcp")
                {
                    Assert.True(value["targetPort"] is not null, $"{name}.bindings.{binding} is tcp without targetPort");
                }
            }
        }
    }

    [Fact]
    public async Task PublishingIgnoresTheLocalDatabaseAndPrometheusSettings()
    {
        // What makes dotnet run use the machine's PostgreSQL and Prometheus must not reach the manifest: both would be
        // executable.v0, which azd rejects. Local mode is refused outright when publishing.
        var resources = await PublishAsync(Path.Combine(_directory, "apphost-manifest.json"), "--TaskPipeline:Prometheus:Enabled=true");
        Assert.DoesNotContain("prometheus", resources.Select(r => r.Key));

        var run = await AppHostProcess.RunAsync(
            "--publisher", "manifest", "--output-path", Path.Combine(_directory, "local.json"), "--TaskPipeline:Database:Mode=Local");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Mode=Local runs only with dotnet run", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "local.json")));
    }

    [Fact]
    public void SchemaCopyMatchesTheSharedSchema()
    {
        // CI clones the repository beside shared/; a developer's checkout may not have it.
        var shared = Path.Combine(Path.GetDirectoryName(AppHostProcess.RepositoryDirectory)!, "shared", "schemas", "aspire-8.0.json");
        if (File.Exists(shared))
        {
            Assert.Equal(File.ReadAllText(shared), File.ReadAllText(SchemaPath));
        }

        Assert.Equal("https://json.schemastore.org/aspire-8.0.json", (string?)JsonNode.Parse(File.ReadAllText(SchemaPath))!["$id"]);
    }

    public void Dispose() => TestDirectories.Delete(_directory);

    private static async Task<JsonObject> PublishAsync(string path, params string[] arguments)
    {
        var run = await AppHostProcess.RunAsync(["--publisher", "manifest", "--output-path", path, .. arguments]);
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Output}{run.Error}");
        Assert.Empty(run.LeftRunning);
        return JsonNode.Parse(await File.ReadAllTextAsync(path))!["resources"]!.AsObject();
    }

    /// <summary>
    /// {resource.connectionString}, {resource.value} (parameter, value or annotated string), {resource.inputs.name},
    /// {resource.bindings.name.url|host|port|targetPort|scheme|protocol|transport}.
    /// </summary>
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
            ["value"] => (string?)resource["type"] is "parameter.v0" or "value.v0" or "annotated.string" && resource["value"] is not null,
            ["inputs", var input] => resource["inputs"]?[input] is not null,
            ["bindings", var binding, "url" or "host" or "port" or "targetPort" or "scheme" or "protocol" or "transport"] => resource["bindings"]?[binding] is not null,
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
