using System.Globalization;

namespace TaskPipeline.Tests.Distributed;

/// <summary>
/// The AppHost's configuration for one test app, as command-line arguments (the same keys a user passes to
/// <c>dotnet run --project TaskPipeline.AppHost -- …</c>): replicas, the database's state folder, and per-service settings.
/// </summary>
public sealed class AppArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Task API's development key, given to the AppHost as its parameter instead of a generated one.</summary>
    public const string ApiKey = "test-api-key-0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>The secret the Producer sends with each Submit and the Consumers require (the AppHost's parameter).</summary>
    public const string SubmitSecret = "test-submit-secret-0123456789abcdefghijklmnop";

    public int ConsumerReplicas { get; set; } = 2;

    public int ProducerReplicas { get; set; } = 1;

    /// <summary>Start on an empty database (the state folder is wiped first).</summary>
    public bool Fresh { get; set; } = true;

    public bool Prometheus { get; set; }

    public bool Dashboard { get; set; }

    /// <summary>
    /// The AppHost's restart policy (<c>TaskPipeline:Restart:Policy</c>): off unless a test is about it, because most
    /// tests that stop or kill a replica look at it stopped and start it again themselves.
    /// </summary>
    public bool Restarts { get; set; }

    /// <summary>One setting of a service: <c>Set("producer", "Producer:Rate", "100")</c> → <c>--producer:Producer:Rate=100</c>.</summary>
    public AppArguments Set(string resource, string key, object value)
    {
        _values[$"{resource}:{key}"] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        return this;
    }

    /// <summary>
    /// The services export traces, metrics and logs to <paramref name="endpoint"/> (the dashboard is off in tests, so
    /// nothing else would tell them where), with the short delays Aspire gives in development: every span within about a
    /// second, none sampled out.
    /// </summary>
    public AppArguments ExportTelemetryTo(Uri endpoint)
    {
        foreach (var service in (string[])["consumer", "producer"])
        {
            Set(service, "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.ToString())
                .Set(service, "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
                .Set(service, "OTEL_BSP_SCHEDULE_DELAY", 1000)
                .Set(service, "OTEL_BLRP_SCHEDULE_DELAY", 1000)
                .Set(service, "OTEL_METRIC_EXPORT_INTERVAL", 1000)
                .Set(service, "OTEL_TRACES_SAMPLER", "always_on");
        }

        return this;
    }

    /// <summary>A setting of the AppHost itself, e.g. <c>TaskPipeline:Prometheus:ScrapeInterval</c>.</summary>
    public AppArguments SetAppHost(string key, object value) => Set("TaskPipeline", key.StartsWith("TaskPipeline:", StringComparison.Ordinal) ? key["TaskPipeline:".Length..] : key, value);

    internal string[] ToArgs(string stateDirectory) =>
    [
        $"--TaskPipeline:ConsumerReplicas={ConsumerReplicas.ToString(CultureInfo.InvariantCulture)}",
        $"--TaskPipeline:ProducerReplicas={ProducerReplicas.ToString(CultureInfo.InvariantCulture)}",
        $"--TaskPipeline:Database:StateDirectory={Path.Combine(stateDirectory, "postgres")}",
        $"--TaskPipeline:Database:Fresh={(Fresh ? "true" : "false")}",
        $"--TaskPipeline:Prometheus:Enabled={(Prometheus ? "true" : "false")}",
        $"--TaskPipeline:Prometheus:StateDirectory={Path.Combine(stateDirectory, "prometheus")}",
        $"--TaskPipeline:Restart:Policy={(Restarts ? "OnFailure" : "Never")}",
        $"--Parameters:producer-api-key={ApiKey}",
        $"--Parameters:consumer-submit-secret={SubmitSecret}",
        .. _values.Select(pair => $"--{pair.Key}={pair.Value}"),
    ];
}
