using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace TaskPipeline.ServiceDefaults.Telemetry;

/// <summary>
/// Renames the few library instruments whose OpenTelemetry names break Prometheus naming rules once exported, so every
/// /metrics passes <c>promtool check metrics</c>: a gauge (up-down counter) named <c>*.count</c> becomes
/// <c>*_count</c>, which Prometheus reserves for histogram and summary series.
/// </summary>
internal static class PrometheusNaming
{
    private const string CountSuffix = ".count";

    // Plural names where one reads well; any other up-down "*.count" becomes "*.current".
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["db.client.connection.count"] = "db.client.connections",
        ["dotnet.assembly.count"] = "dotnet.assemblies",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers",
    };

    public static MeterProviderBuilder AddPrometheusNaming(this MeterProviderBuilder metrics) =>
        metrics.AddView(instrument => RenamedTo(instrument) is { } name ? new MetricStreamConfiguration { Name = name } : null);

    /// <summary>The new name, or null to keep the instrument as it is.</summary>
    internal static string? RenamedTo(Instrument instrument)
    {
        if (!instrument.Name.EndsWith(CountSuffix, StringComparison.Ordinal) || IsMonotonicOrHistogram(instrument))
        {
            return null;
        }

        return Renamed.TryGetValue(instrument.Name, out var name) ? name : instrument.Name[..^CountSuffix.Length] + ".current";
    }

    // Counters are exported with "_total" and histograms own "_count": those names are fine as they are.
    private static bool IsMonotonicOrHistogram(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) || definition == typeof(Histogram<>);
    }
}
