using System.Globalization;
using System.Text;

namespace TaskPipeline.Monitoring;

/// <summary>
/// What every Prometheus configuration of the project starts with: the AppHost's own Prometheus and the one the Deploy
/// tool writes for Compose. Compiled into both, like the .proto into both services.
/// </summary>
internal static class PrometheusYaml
{
    /// <summary>A header line, then the global section; the caller appends <c>scrape_configs:</c> entries.</summary>
    public static StringBuilder Begin(string header, TimeSpan scrapeInterval)
    {
        var interval = Duration(scrapeInterval);
        // Prometheus requires scrape_timeout <= scrape_interval; 10 s (its default) unless the interval is shorter.
        var timeout = Duration(scrapeInterval < TimeSpan.FromSeconds(10) ? scrapeInterval : TimeSpan.FromSeconds(10));
        var yaml = new StringBuilder();
        yaml.AppendLine(CultureInfo.InvariantCulture, $"# {header}");
        yaml.AppendLine("global:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {interval}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scrape_timeout: {timeout}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {interval}");
        yaml.AppendLine("scrape_configs:");
        return yaml;
    }

    /// <summary>Prometheus durations: whole milliseconds are always accepted ("1500ms", "15000ms").</summary>
    public static string Duration(TimeSpan duration) =>
        $"{Math.Max(1, (long)Math.Round(duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)}ms";
}
