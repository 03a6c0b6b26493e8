using Aspire.Hosting.Testing;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>
/// One observed run for the collection, from the real AppHost through Aspire.Hosting.Testing: an in-test OTLP
/// receiver, then the app with Prometheus scraping every second, JSON logs and OTLP export (to the receiver) in both
/// services, two Consumers that fail some attempts (so failures and dead letters exist), and a Producer making
/// <see cref="TaskCount"/> tasks, and one delayed task created through the API (so the scheduler's metrics have
/// observations). Ready once every task is finished and Prometheus has scraped the final counts.
/// </summary>
public sealed class ObservabilityFixture() : WholeAppFixture("observability")
{
    public const int TaskCount = 2000;
    public const int ConsumerReplicas = 2;
    public const string ConsumerResource = "consumer";
    public const string ProducerResource = "producer";
    public const string PrometheusResource = "prometheus";
    public const string ManagementEndpoint = "management";

    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);

    internal OtlpReceiver Receiver { get; private set; } = null!;

    /// <summary>Prometheus' HTTP API (the resource the AppHost started).</summary>
    internal PrometheusApi Prometheus { get; private set; } = null!;

    /// <summary>When the last task had finished and Prometheus had scraped the final counts (Unix seconds).</summary>
    internal double FinishedAt { get; private set; }

    protected override async Task BeforeStartAsync()
    {
        Promtool.RequirePrometheus();
        Receiver = await OtlpReceiver.StartAsync();
    }

    internal override AppArguments Arguments()
    {
        var arguments = new AppArguments { ConsumerReplicas = ConsumerReplicas, Prometheus = true }
            .SetAppHost("Prometheus:ScrapeInterval", ScrapeInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
            .ExportTelemetryTo(Receiver.Endpoint)
            .Set(ConsumerResource, "Logging:Format", "json")
            .Set(ProducerResource, "Logging:Format", "json");

        arguments.Set(ProducerResource, "Producer:Rate", 500)
            .Set(ProducerResource, "Producer:MaxTasks", TaskCount)
            .Set(ProducerResource, "Producer:MaxBacklog", 100000)
            .Set(ProducerResource, "Producer:SweepInterval", "00:00:00.200")
            // Some attempts fail and some tasks use up their two attempts: the failure panels have something to show.
            .Set(ConsumerResource, "Consumer:FailureRate", "0.1")
            .Set(ConsumerResource, "Consumer:MaxAttempts", 2)
            .Set(ConsumerResource, "Consumer:RetryBackoff", "00:00:00.050");
        return arguments;
    }

    protected override async Task StartedAsync()
    {
        Prometheus = new PrometheusApi(PrometheusEndpoint());
        using (var api = App.CreateHttpClient(ProducerResource))
        using (var delayed = await api.PostAsync(
            new Uri("/api/tasks", UriKind.Relative),
            new StringContent("""{"type": 0, "value": 1, "delay": 1}""", System.Text.Encoding.UTF8, "application/json")))
        {
            delayed.EnsureSuccessStatusCode();
        }

        await Audit.WaitForStatesAsync(
            counts => counts.Values.Sum() == TaskCount + 1 && counts.GetValueOrDefault("scheduled") == 0
                && counts.GetValueOrDefault("received") == 0 && counts.GetValueOrDefault("processing") == 0,
            TimeSpan.FromMinutes(2),
            CancellationToken.None);

        // A few scrapes later every replica's final counts are in Prometheus.
        await Task.Delay(ScrapeInterval * 4);
        FinishedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    }

    /// <summary>The prometheus resource's <c>http</c> endpoint, as Aspire allocated it; Prometheus listens on IPv4 loopback.</summary>
    internal Uri PrometheusEndpoint()
    {
        var uri = App.App.GetEndpoint(PrometheusResource, "http");
        return new UriBuilder(uri) { Host = uri.Host == "localhost" ? "127.0.0.1" : uri.Host }.Uri;
    }

    protected override Task BeforeStopAsync()
    {
        Prometheus?.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task StoppedAsync()
    {
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }
}
