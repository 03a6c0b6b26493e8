using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>The AppHost's real Prometheus, the services' /metrics and the Grafana dashboard's queries.</summary>
[Collection(ObservabilityTests.Name)]
public sealed partial class PrometheusTests(ObservabilityFixture fixture)
{
    public const string DashboardFile = "deploy/grafana/dashboards/tasks.json";
    public const string ValueSumPanel = "Value sum per type";

    /// <summary>Grafana fills these in; any range covering the short run will do.</summary>
    private static readonly Dictionary<string, string> GrafanaRanges = new(StringComparer.Ordinal)
    {
        ["$__rate_interval"] = "1m",
        ["$__interval"] = "1m",
        ["$__range"] = "1m",
    };

    private static readonly (string Service, int Replica)[] Replicas =
        [.. Enumerable.Range(0, ObservabilityFixture.ConsumerReplicas).Select(i => (ObservabilityFixture.ConsumerResource, i)), (ObservabilityFixture.ProducerResource, 0)];

    [Fact]
    public async Task PrometheusScrapesEveryReplicaUnderItsServiceAndReplicaLabels()
    {
        var targets = await fixture.Prometheus.TargetsAsync(CancellationToken.None);

        var expected = Replicas.Select(r => $"{r.Service}-{r.Replica}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, targets.Select(t => t.Labels["instance"]).Order(StringComparer.Ordinal));
        foreach (var (labels, health, lastError) in targets)
        {
            Assert.True(health == "up", $"{labels["instance"]} is {health}: {lastError}");
            Assert.Equal(labels["service"], labels["job"]);
            Assert.Equal(labels["instance"], $"{labels["service"]}-{labels["replica"]}");
        }

        // Prometheus is a resource of the app, running and ready, and shows the URL the targets above came from.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var prometheus = await fixture.App.App.ResourceNotifications.WaitForResourceHealthyAsync(ObservabilityFixture.PrometheusResource, timeout.Token);
        Assert.Equal(KnownResourceStates.Running, prometheus.Snapshot.State?.Text);
        Assert.Equal(HealthStatus.Healthy, prometheus.Snapshot.HealthStatus);
        var endpoint = fixture.App.App.GetEndpoint(ObservabilityFixture.PrometheusResource, "http");
        Assert.Contains(prometheus.Snapshot.Urls, url => url.Name == "http" && new Uri(url.Url).GetLeftPart(UriPartial.Authority) == endpoint.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    public async Task EveryServiceMetricsEndpointPassesPromtoolCheckMetrics()
    {
        using var http = new HttpClient();
        foreach (var (service, replica) in Replicas)
        {
            var exposition = await http.GetStringAsync(new Uri(fixture.App.GetEndpoint(service, ObservabilityFixture.ManagementEndpoint, replica), "/metrics"));

            var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition, CancellationToken.None);

            Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics on {service}-{replica}/metrics (exit {exitCode}):\n{output}");
        }
    }

    [Fact]
    public async Task EveryDashboardQueryReturnsDataFromPrometheus()
    {
        var expressions = DashboardExpressions();
        Assert.True(expressions.Count >= 20, $"the dashboard has only {expressions.Count} queries");

        var problems = new List<string>();
        foreach (var (panel, expression) in expressions)
        {
            var promql = Concrete(expression);
            var samples = await fixture.Prometheus.QueryAsync(promql, fixture.FinishedAt, CancellationToken.None);
            if (samples.Count == 0)
            {
                problems.Add($"{panel}: {promql} returned no data");
            }
            else if (!samples.Any(sample => double.IsFinite(sample.Value)))
            {
                problems.Add($"{panel}: {promql} returned only {string.Join(", ", samples.Select(s => s.Value))}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task ValueSumPanelAgreesWithTheDatabase()
    {
        var expression = Assert.Single(DashboardExpressions(), e => e.Panel == ValueSumPanel).Expression;
        var samples = await fixture.Prometheus.QueryAsync(Concrete(expression), fixture.FinishedAt, CancellationToken.None);
        var database = await fixture.Audit.DoneByTypeAsync(CancellationToken.None);

        var panel = samples.Where(s => s.Value != 0).ToDictionary(s => s.Labels["task_type"], s => (long)s.Value);
        Assert.NotEmpty(panel);
        Assert.Equal(database.ToDictionary(d => d.Key, d => d.Value.ValueSum).OrderBy(d => d.Key), panel.OrderBy(d => d.Key));
    }

    [Fact]
    public async Task EveryMetricTheReadmeListsIsExposedAndEveryTaskPipelineMetricIsListed()
    {
        var readme = await File.ReadAllTextAsync(RepositoryFiles.PathOf("README.md"));
        var listed = ReadmeMetric().Matches(readme).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var exposed = new HashSet<string>(StringComparer.Ordinal);
        using var http = new HttpClient();
        foreach (var (service, replica) in Replicas)
        {
            var exposition = await http.GetStringAsync(new Uri(fixture.App.GetEndpoint(service, ObservabilityFixture.ManagementEndpoint, replica), "/metrics"));
            exposed.UnionWith(MetricFamily().Matches(exposition).Select(m => m.Groups[1].Value));
        }

        Assert.Empty(listed.Except(exposed).Order(StringComparer.Ordinal));
        Assert.Empty(exposed.Where(name => name.StartsWith("taskpipeline_", StringComparison.Ordinal)).Except(listed).Order(StringComparer.Ordinal));
    }

    internal static List<(string Panel, string Expression)> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(DashboardFile)));
        var expressions = new List<(string, string)>();
        Collect(dashboard.RootElement.GetProperty("panels"), expressions);
        return expressions;
    }

    private static void Collect(JsonElement panels, List<(string, string)> expressions)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            if (panel.TryGetProperty("panels", out var nested))
            {
                Collect(nested, expressions);
            }

            if (panel.TryGetProperty("targets", out var targets))
            {
                var title = panel.GetProperty("title").GetString()!;
                expressions.AddRange(targets.EnumerateArray()
                    .Where(target => target.TryGetProperty("expr", out _))
                    .Select(target => (title, target.GetProperty("expr").GetString()!)));
            }
        }
    }

    private static string Concrete(string expression) =>
        GrafanaRanges.Aggregate(expression, (text, variable) => text.Replace(variable.Key, variable.Value, StringComparison.Ordinal));

    // "| `taskpipeline_consumer_tasks_done_total` | counter | …" in the README's metrics table.
    [GeneratedRegex(@"^\|\s*`(taskpipeline_[a-z0-9_]+)`", RegexOptions.Multiline)]
    private static partial Regex ReadmeMetric();

    // "# TYPE taskpipeline_consumer_tasks_duration_seconds histogram": one line per metric family.
    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ", RegexOptions.Multiline)]
    private static partial Regex MetricFamily();
}
