using System.Globalization;
using TaskPipeline.AppHost.Hosting;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Observability;

/// <summary>
/// One observed run for the collection: an in-test OTLP receiver, then the app with Prometheus scraping every second,
/// JSON logs and OTLP export in both services, two Consumers that fail some attempts (so failures and dead letters
/// exist), and a Producer making <see cref="TaskCount"/> tasks. Ready once every task is finished and Prometheus has
/// scraped the final counts.
/// </summary>
public sealed class ObservabilityFixture : IAsyncLifetime
{
    public const int TaskCount = 2000;
    public const int ConsumerReplicas = 2;

    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);

    private readonly string _stateDirectory = TestDirectories.Create("observability");

    internal OtlpReceiver Receiver { get; private set; } = null!;

    internal PipelineApp App { get; private set; } = null!;

    internal TaskAudit Audit { get; private set; } = null!;

    /// <summary>Prometheus' HTTP API (the resource the AppHost started).</summary>
    internal PrometheusApi Prometheus { get; private set; } = null!;

    /// <summary>When the last task had finished and Prometheus had scraped the final counts (Unix seconds).</summary>
    internal double FinishedAt { get; private set; }

    public async Task InitializeAsync()
    {
        Promtool.RequirePrometheus();
        Receiver = await OtlpReceiver.StartAsync();

        var options = new PipelineOptions
        {
            StateDirectory = _stateDirectory,
            Fresh = true,
            ConsumerReplicas = ConsumerReplicas,
            ScrapeInterval = ScrapeInterval,
            OtlpEndpoint = Receiver.Endpoint.ToString(),
        };
        foreach (var service in (string[])[PipelineOptions.ConsumerResource, PipelineOptions.ProducerResource])
        {
            options.Set(service, "Logging:Format", "json");
        }

        options.Set("producer", "Producer:Rate", "500")
            .Set("producer", "Producer:MaxTasks", TaskCount.ToString(CultureInfo.InvariantCulture))
            .Set("producer", "Producer:MaxBacklog", "100000")
            .Set("producer", "Producer:SweepInterval", "00:00:00.200")
            // Some attempts fail and some tasks use up their two attempts: the failure panels have something to show.
            .Set("consumer", "Consumer:FailureRate", "0.1")
            .Set("consumer", "Consumer:MaxAttempts", "2")
            .Set("consumer", "Consumer:RetryBackoff", "00:00:00.050");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        App = await PipelineApp.StartAsync(options, timeout.Token);
        Audit = new TaskAudit(App.ConnectionString);
        Prometheus = new PrometheusApi(App.GetEndpoint(PipelineOptions.PrometheusResource));

        await Audit.WaitForStatesAsync(
            counts => counts.Values.Sum() == TaskCount && counts.GetValueOrDefault("received") == 0 && counts.GetValueOrDefault("processing") == 0,
            TimeSpan.FromMinutes(2),
            CancellationToken.None);

        // A few scrapes later every replica's final counts are in Prometheus.
        await Task.Delay(ScrapeInterval * 4);
        FinishedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    }

    public async Task DisposeAsync()
    {
        Prometheus?.Dispose();
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        TestDirectories.Delete(_stateDirectory);
    }
}
