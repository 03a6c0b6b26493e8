using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.AppHost.Monitoring;

/// <summary>The <c>TaskPipeline:Prometheus</c> section.</summary>
internal sealed class PrometheusSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>The prometheus program; empty: PATH, then /usr/bin/prometheus.</summary>
    public string? Path { get; set; }

    /// <summary>Prometheus' loopback port (for a Grafana data source that outlives a run); 0: a free one.</summary>
    [Range(0, 65535, ErrorMessage = "must be 0 (a free port) or a port number up to 65535")]
    public int Port { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "must be from 00:00:00.100 to 01:00:00")]
    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Its configuration and time series; empty: <c>prometheus</c> beside the database's state folder (the per-user
    /// default when that is not set either; README).
    /// </summary>
    public string? StateDirectory { get; set; }
}
