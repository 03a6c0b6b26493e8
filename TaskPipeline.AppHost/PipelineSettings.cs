using System.ComponentModel.DataAnnotations;
using TaskPipeline.AppHost.Database;
using TaskPipeline.AppHost.Monitoring;
using TaskPipeline.AppHost.Restarts;

namespace TaskPipeline.AppHost;

/// <summary>The AppHost's own settings: the <c>TaskPipeline</c> section of its configuration (README, "Configuration").</summary>
internal sealed class PipelineSettings
{
    public const string SectionName = "TaskPipeline";

    [Range(1, 64, ErrorMessage = "must be from 1 to 64")]
    public int ConsumerReplicas { get; set; } = 2;

    [Range(1, 64, ErrorMessage = "must be from 1 to 64")]
    public int ProducerReplicas { get; set; } = 1;

    /// <summary>
    /// The Producer waits for its Start command (dashboard, or <c>ResourceCommands</c>) instead of starting with the
    /// rest: the benchmark starts it once PostgreSQL and the Consumers are up and idle.
    /// </summary>
    public bool ProducerExplicitStart { get; set; }

    public DatabaseSettings Database { get; set; } = new();

    public PrometheusSettings Prometheus { get; set; } = new();

    public RestartSettings Restart { get; set; } = new();
}
