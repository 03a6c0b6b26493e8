using System.Globalization;

namespace TaskPipeline.Tests.Distributed;

/// <summary>
/// The AppHost's configuration for one test app, as command-line arguments (the same keys a user passes to
/// <c>dotnet run --project TaskPipeline.AppHost -- …</c>): replicas, the database's state folder, and per-service settings.
/// </summary>
public sealed class AppArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public int ConsumerReplicas { get; set; } = 2;

    public int ProducerReplicas { get; set; } = 1;

    /// <summary>Start on an empty database (the state folder is wiped first).</summary>
    public bool Fresh { get; set; } = true;

    public bool Prometheus { get; set; }

    public bool Dashboard { get; set; }

    /// <summary>One setting of a service: <c>Set("producer", "Producer:Rate", "100")</c> → <c>--producer:Producer:Rate=100</c>.</summary>
    public AppArguments Set(string resource, string key, object value)
    {
        _values[$"{resource}:{key}"] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
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
        .. _values.Select(pair => $"--{pair.Key}={pair.Value}"),
    ];
}
