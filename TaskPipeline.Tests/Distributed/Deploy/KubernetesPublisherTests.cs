using System.Text.RegularExpressions;
using TaskPipeline.Deploy;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// The Kubernetes YAML from TaskPipeline.Deploy (the AppHost's manifest, translated), as the API server would resolve it:
/// Services select pods, names and ports resolve, and every object passes the Kubernetes OpenAPI schemas.
/// </summary>
public sealed partial class KubernetesPublisherTests : IDisposable
{
    private readonly string _directory = TestDirectories.Create("kubernetes");

    [Fact]
    public async Task ManifestsWireServicesSecretsProbesAndReplicas()
    {
        var path = Path.Combine(_directory, "app.yaml");
        var (exitCode, output, error) = await DeployCommand.RunAsync(
            "kubernetes", "--output-path", path, "--consumers", "3", "--producers", "2", "--image-registry", "registry.example/team");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}{error}");

        var documents = YamlTree.ReadAll(await File.ReadAllTextAsync(path));
        var byKind = documents.ToLookup(d => $"{d.Text("kind")}/{d.Map("metadata").Text("name")}");
        Assert.Equal(
            ["Secret/consumer-submit-secret", "Secret/postgres-password", "Service/postgres", "StatefulSet/postgres", "Service/consumer", "Deployment/consumer", "Service/producer", "Deployment/producer"],
            byKind.Select(group => group.Key));
        var secret = byKind["Secret/postgres-password"].Single();
        var submitSecret = byKind["Secret/consumer-submit-secret"].Single();
        Assert.True(submitSecret.Map("stringData").Text(KubernetesWriter.PasswordKey)!.Length >= 32);
        var services = documents.Where(d => d.Text("kind") == "Service").ToDictionary(d => d.Map("metadata").Text("name")!);

        Assert.Equal(3, Replicas(byKind["Deployment/consumer"].Single()));
        Assert.Equal(2, Replicas(byKind["Deployment/producer"].Single()));
        Assert.Equal(1, Replicas(byKind["StatefulSet/postgres"].Single()));
        Assert.True(secret.Map("stringData").Text(KubernetesWriter.PasswordKey)!.Length >= 22);

        foreach (var workload in documents.Where(d => d.Text("kind") is "Deployment" or "StatefulSet"))
        {
            var name = workload.Map("metadata").Text("name")!;
            var pod = workload.Map("spec").Map("template");
            var labels = pod.Map("metadata").Map("labels");
            var selector = workload.Map("spec").Map("selector").Map("matchLabels");
            Assert.All(selector, label => Assert.Equal(label.Value, labels.GetValueOrDefault(label.Key)));

            // Its Service selects its pods, and every Service port targets a named container port.
            var service = services[name];
            Assert.All(service.Map("spec").Map("selector"), label => Assert.Equal(label.Value, labels.GetValueOrDefault(label.Key)));
            var container = (Dictionary<object, object?>)pod.Map("spec").List("containers").Single()!;
            var containerPorts = container.List("ports").ToDictionary(p => p.Text("name")!, p => Convert.ToInt32(((Dictionary<object, object?>)p!)["containerPort"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.All(service.Map("spec").List("ports"), port => Assert.Contains(port.Text("targetPort")!, containerPorts.Keys));

            // Secrets and $(VAR) references resolve, in order.
            var defined = new List<string>();
            foreach (var variable in container.List("env"))
            {
                // Every manifest expression is resolved; nothing refers to the https binding the images do not serve.
                Assert.DoesNotMatch(ManifestExpression(), variable.Text("value") ?? "");
                Assert.DoesNotContain("https", variable.Text("name")!, StringComparison.OrdinalIgnoreCase);

                if (variable.Has("valueFrom") && variable.Map("valueFrom").Has("secretKeyRef"))
                {
                    var reference = variable.Map("valueFrom").Map("secretKeyRef");
                    Assert.Contains(reference.Text("name"), (string[])["postgres-password", "consumer-submit-secret"]);
                    Assert.True(byKind[$"Secret/{reference.Text("name")}"].Single().Map("stringData").Has(reference.Text("key")!));
                }

                foreach (Match used in VariableReference().Matches(variable.Text("value") ?? ""))
                {
                    Assert.True(defined.Contains(used.Groups["name"].Value), $"{name}: {variable.Text("name")} uses $({used.Groups["name"].Value}) before it is defined");
                }

                // Service URLs and Host= name a Service and one of its ports.
                foreach (Match url in Url().Matches(variable.Text("value") ?? ""))
                {
                    Assert.True(services.TryGetValue(url.Groups["host"].Value, out var target), $"{name}: {variable.Text("name")} points at {url.Groups["host"].Value}, which is not a Service");
                    Assert.Contains(url.Groups["port"].Value, target.Map("spec").List("ports").Select(p => Convert.ToString(((Dictionary<object, object?>)p!)["port"], System.Globalization.CultureInfo.InvariantCulture)));
                }

                defined.Add(variable.Text("name")!);
            }

            if (workload.Text("kind") != "Deployment")
            {
                continue;
            }

            // Probes on the management port, the one the service's Kestrel management endpoint listens on.
            var env = container.List("env").ToDictionary(v => v.Text("name")!, v => v.Text("value"));
            var managementPort = containerPorts["management"];
            Assert.Equal($"http://*:{managementPort}", env["Kestrel__Endpoints__management__Url"]);
            Assert.Equal($"http://*:{containerPorts["http"]}", env["Kestrel__Endpoints__http__Url"]);
            Assert.Equal((8080, 8081), (containerPorts["http"], managementPort));
            Assert.Equal("/health", container.Map("readinessProbe").Map("httpGet").Text("path"));
            Assert.Equal("management", container.Map("readinessProbe").Map("httpGet").Text("port"));
            Assert.Equal("/alive", container.Map("livenessProbe").Map("httpGet").Text("path"));
            Assert.Equal("management", container.Map("livenessProbe").Map("httpGet").Text("port"));
            Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=$(TASKSDB_PASSWORD);Database=tasksdb", env["ConnectionStrings__tasksdb"]);
            Assert.Equal($"registry.example/team/taskpipeline-{name}:latest", container.Text("image"));

            var annotations = pod.Map("metadata").Map("annotations");
            Assert.Equal("true", annotations.Text("prometheus.io/scrape"));
            Assert.Equal(managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture), annotations.Text("prometheus.io/port"));
            Assert.Equal("/metrics", annotations.Text("prometheus.io/path"));

            var security = pod.Map("spec").Map("securityContext");
            Assert.Equal(true, security["runAsNonRoot"] is string text ? bool.Parse(text) : security["runAsNonRoot"]);
            Assert.Equal("1654", Convert.ToString(security["runAsUser"], System.Globalization.CultureInfo.InvariantCulture));
        }

        var consumerService = services["consumer"].Map("spec").List("ports").Single(p => p.Text("name") == "http");
        Assert.Equal("kubernetes.io/h2c", consumerService.Text("appProtocol"));
        var producerEnv = ((Dictionary<object, object?>)byKind["Deployment/producer"].Single().Map("spec").Map("template").Map("spec").List("containers").Single()!).List("env");
        Assert.Equal("http://consumer:8080", producerEnv.Single(v => v.Text("name") == "services__consumer__http__0").Text("value"));
    }

    [Fact]
    public async Task PublishingAgainKeepsTheSecretsPassword()
    {
        Assert.Equal(0, (await DeployCommand.RunAsync("kubernetes", "--output-path", _directory)).ExitCode);
        var path = Path.Combine(_directory, KubernetesWriter.DefaultFileName);
        var first = Password(await File.ReadAllTextAsync(path));

        Assert.Equal(0, (await DeployCommand.RunAsync("kubernetes", "--output-path", _directory, "--consumers", "5")).ExitCode);

        var text = await File.ReadAllTextAsync(path);
        Assert.Equal(first, Password(text));
        Assert.Equal(5, Replicas(YamlTree.ReadAll(text).Single(d => d.Text("kind") == "Deployment" && d.Map("metadata").Text("name") == "consumer")));
    }

    [Fact]
    public async Task KubernetesModelsAcceptEveryObjectAndRejectAMistypedCopy()
    {
        var (exitCode, output, error) = await DeployCommand.RunAsync("kubernetes", "--output-path", _directory, "--consumers", "3", "--producers", "2");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}{error}");
        var path = Path.Combine(_directory, KubernetesWriter.DefaultFileName);

        var (valid, report) = await KubernetesModels.ValidateAsync(path);
        Assert.True(valid == 0, report);
        Assert.Equal(8, report.Split('\n').Count(line => line.StartsWith("valid ", StringComparison.Ordinal)));

        // The validator does look at the fields: a count and a port written as strings are rejected, by name.
        var mistyped = Path.Combine(_directory, "mistyped.yaml");
        await File.WriteAllTextAsync(mistyped, (await File.ReadAllTextAsync(path))
            .Replace("replicas: 3", "replicas: \"3\"", StringComparison.Ordinal)
            .Replace("containerPort: 8081", "containerPort: \"8081\"", StringComparison.Ordinal));
        var (invalid, rejection) = await KubernetesModels.ValidateAsync(mistyped);
        Assert.NotEqual(0, invalid);
        Assert.Contains("invalid Deployment/consumer", rejection, StringComparison.Ordinal);
        Assert.Contains("spec/replicas", rejection, StringComparison.Ordinal);
        Assert.Contains("containerPort", rejection, StringComparison.Ordinal);
    }

    public void Dispose() => TestDirectories.Delete(_directory);

    private static string Password(string yaml) =>
        YamlTree.ReadAll(yaml).Single(d => d.Text("kind") == "Secret" && d.Map("metadata").Text("name") == "postgres-password").Map("stringData").Text(KubernetesWriter.PasswordKey)!;

    private static int Replicas(Dictionary<object, object?> workload) =>
        Convert.ToInt32(workload.Map("spec")["replicas"], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?<!\$)\$\((?<name>[A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    /// <summary>An unresolved manifest expression: <c>{resource.property…}</c> (not Compose's <c>${VAR}</c>).</summary>
    [GeneratedRegex(@"(?<!\$)\{[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+\}")]
    private static partial Regex ManifestExpression();

    [GeneratedRegex(@"(?:https?://|Host=)(?<host>[a-z0-9-]+)(?::|;Port=)(?<port>\d+)")]
    private static partial Regex Url();
}
