using System.Text.RegularExpressions;
using TaskPipeline.Deploy;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// docker-compose.yaml from TaskPipeline.Deploy (the AppHost's manifest, translated), as Compose reads it: every
/// reference resolves, every replica is wired.
/// </summary>
public sealed partial class ComposePublisherTests : IDisposable
{
    private readonly string _directory = TestDirectories.Create("compose");

    [Fact]
    public async Task ComposeFileRunsEachReplicaWiredToPostgresTheConsumersAndPrometheus()
    {
        var (exitCode, output, error) = await DeployCommand.RunAsync(
            "compose", "--output-path", _directory, "--consumers", "3", "--producers", "2", "--", "--consumer:Consumer:MaxConcurrency=32");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}{error}");

        var compose = YamlTree.Read(await File.ReadAllTextAsync(Path.Combine(_directory, "docker-compose.yaml")));
        var variables = EnvFile(Path.Combine(_directory, ".env"));
        var services = compose.Map("services");
        Assert.Equal(["postgres", "consumer-0", "consumer-1", "consumer-2", "producer-0", "producer-1", "prometheus"], services.Keys.Cast<string>());

        // Image, settings and volume as the manifest states them; the volume's name stable across checkouts.
        var postgres = services["postgres"];
        Assert.Matches(@"^docker\.io/library/postgres:\d+", postgres.Text("image"));
        Assert.Equal(["postgres-data"], compose.Map("volumes").Keys.Cast<string>());
        Assert.Equal(["postgres-data:/var/lib/postgresql"], postgres.List("volumes").Cast<string>());
        Assert.Equal("scram-sha-256", postgres.Map("environment").Text("POSTGRES_HOST_AUTH_METHOD"));
        Assert.Matches("^\\$\\{POSTGRES_PASSWORD[^}]*\\}$", postgres.Map("environment").Text("POSTGRES_PASSWORD"));
        Assert.Equal(["CMD", "pg_isready", "-U", "postgres", "-d", "postgres"], postgres.Map("healthcheck").List("test").Cast<string>());
        Assert.True(variables["POSTGRES_PASSWORD"].Length >= 22);

        foreach (var (name, service) in services.Select(s => ((string)s.Key, s.Value)))
        {
            var environment = service.Has("environment") ? service.Map("environment") : [];
            foreach (var (key, value) in environment.Select(e => ((string)e.Key, (string)e.Value!)))
            {
                // Every manifest expression ({tasksdb.connectionString}, {consumer.bindings.http.url}, …) is resolved, and
                // nothing points at the https binding the AppHost describes but the images do not serve.
                Assert.DoesNotMatch(ManifestExpression(), value);
                Assert.DoesNotContain("https", key, StringComparison.OrdinalIgnoreCase);

                // ${VAR} and ${VAR:?message} come from .env; a literal $ is written $$.
                foreach (Match reference in Interpolation().Matches(value))
                {
                    Assert.True(variables.ContainsKey(reference.Groups["name"].Value), $"{name}: {key} uses ${{{reference.Groups["name"].Value}}}, which .env does not define");
                }

                // Every URL or Host= points at a service of this file (or the network alias its replicas share), on a
                // port its Kestrel endpoint listens on.
                foreach (Match url in Url().Matches(value))
                {
                    var target = url.Groups["host"].Value;
                    var reached = Reached(services, target);
                    Assert.True(reached.Count > 0, $"{name}: {key} points at {target}, which is neither a service nor a network alias");
                    Assert.All(reached, service => Assert.Contains(url.Groups["port"].Value, ListenPorts(service)));
                }

                if (key == "ConnectionStrings__tasksdb")
                {
                    Assert.Matches("^Host=postgres;Port=5432;Username=postgres;Password=\\$\\{POSTGRES_PASSWORD[^}]*\\};Database=tasksdb$", value);
                }
            }

            foreach (var dependency in service.Has("depends_on") ? service.Map("depends_on").Keys.Cast<string>() : [])
            {
                Assert.True(services.ContainsKey(dependency), $"{name} depends on {dependency}, which is not a service");
            }
        }

        for (var i = 0; i < 3; i++)
        {
            var consumer = services[$"consumer-{i}"];
            Assert.Equal("taskpipeline-consumer:latest", consumer.Text("image"));
            Assert.Equal($"service.instance.id=consumer-{i}", consumer.Map("environment").Text("OTEL_RESOURCE_ATTRIBUTES"));
            Assert.Equal("32", consumer.Map("environment").Text("Consumer__MaxConcurrency"));
            Assert.Equal("service_healthy", consumer.Map("depends_on").Map("postgres").Text("condition"));
            Assert.Equal("http://*:8080", consumer.Map("environment").Text("Kestrel__Endpoints__http__Url"));
            Assert.Equal("http://*:8081", consumer.Map("environment").Text("Kestrel__Endpoints__management__Url"));
        }

        foreach (var producer in new[] { services["producer-0"], services["producer-1"] })
        {
            var environment = producer.Map("environment");
            // One discovery entry per Consumer replica, as the AppHost gives: round-robin per call.
            Assert.Equal(
                ["http://consumer-0:8080", "http://consumer-1:8080", "http://consumer-2:8080"],
                environment.Where(e => ((string)e.Key).StartsWith("services__consumer__http__", StringComparison.Ordinal)).Select(e => (string)e.Value!));
            Assert.Null(environment.Text("Consumer__MaxConcurrency"));
            Assert.Equal("taskpipeline-producer:latest", producer.Text("image"));
            Assert.Equal(
                ["consumer-0", "consumer-1", "consumer-2", "postgres"],
                producer.Map("depends_on").Keys.Cast<string>().Order(StringComparer.Ordinal));
        }

        // Prometheus scrapes every replica's management endpoint, from the file mounted into it.
        var prometheus = services["prometheus"];
        Assert.Contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro", prometheus.List("volumes").Cast<string>());
        var scrape = YamlTree.Read(await File.ReadAllTextAsync(Path.Combine(_directory, "prometheus.yml")));
        var targets = scrape.List("scrape_configs")
            .SelectMany(job => job.List("static_configs").SelectMany(config => config.List("targets").Cast<string>()))
            .ToList();
        Assert.Equal(["consumer-0:8081", "consumer-1:8081", "consumer-2:8081", "producer-0:8081", "producer-1:8081"], targets);
        Assert.All(targets, target => Assert.Contains(target.Split(':')[1], ListenPorts(services[target.Split(':')[0]], "management")));
        Assert.All(scrape.List("scrape_configs"), job => Assert.Equal("/metrics", job.Text("metrics_path")));
    }

    [Fact]
    public async Task PublishingAgainKeepsThePasswordTheVolumeWasInitialisedWith()
    {
        Assert.Equal(0, (await DeployCommand.RunAsync("compose", "--output-path", _directory, "--no-prometheus")).ExitCode);
        var first = EnvFile(Path.Combine(_directory, ".env"))["POSTGRES_PASSWORD"];

        Assert.Equal(0, (await DeployCommand.RunAsync("compose", "--output-path", _directory, "--consumers", "4")).ExitCode);

        Assert.Equal(first, EnvFile(Path.Combine(_directory, ".env"))["POSTGRES_PASSWORD"]);
        var services = YamlTree.Read(await File.ReadAllTextAsync(Path.Combine(_directory, ComposeWriter.DefaultFileName))).Map("services");
        Assert.Equal(4, services.Keys.Cast<string>().Count(name => name.StartsWith("consumer-", StringComparison.Ordinal)));
    }

    public void Dispose() => TestDirectories.Delete(_directory);

    /// <summary>The ports a service's Kestrel endpoints listen on (http://+:port), from its own environment.</summary>
    private static List<string> ListenPorts(object? service, string endpoint = "*")
    {
        if (service.Text("image")!.StartsWith("docker.io/library/postgres:", StringComparison.Ordinal))
        {
            // PostgreSQL listens on its image's port.
            return ["5432"];
        }

        return [.. service.Map("environment")
            .Where(e => (string)e.Key is var key && key.StartsWith("Kestrel__Endpoints__", StringComparison.Ordinal) && key.EndsWith("__Url", StringComparison.Ordinal)
                && (endpoint == "*" || key == $"Kestrel__Endpoints__{endpoint}__Url"))
            .Select(e => ((string)e.Value!).Split(':')[^1])];
    }

    /// <summary>The services a host name reaches: the service of that name, else every service with that network alias.</summary>
    private static List<object?> Reached(Dictionary<object, object?> services, string host) => services.ContainsKey(host)
        ? [services[host]]
        : [.. services.Values.Where(service => service.Has("networks")
            && service.Map("networks").Values.Any(network => network.Has("aliases") && network.List("aliases").Contains(host)))];

    private static Dictionary<string, string> EnvFile(string path) => File.ReadLines(path)
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('=', 2))
        .ToDictionary(parts => parts[0], parts => parts[1]);

    [GeneratedRegex(@"(?<!\$)\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Interpolation();

    /// <summary>An unresolved manifest expression: <c>{resource.property…}</c> (not Compose's <c>${VAR}</c>).</summary>
    [GeneratedRegex(@"(?<!\$)\{[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+\}")]
    private static partial Regex ManifestExpression();

    [GeneratedRegex(@"(?:https?://|Host=)(?<host>[a-z0-9-]+)(?::|;Port=)(?<port>\d+)")]
    private static partial Regex Url();
}
