namespace TaskPipeline.AppHost.Hosting;

/// <summary>What the AppHost starts and how: the counterpart of an Aspire AppHost's Program.cs plus its launch profile.</summary>
internal sealed class PipelineOptions
{
    public const string ConsumerResource = "consumer";
    public const string ProducerResource = "producer";
    public const string PostgresResource = "postgres";
    public const string PrometheusResource = "prometheus";
    public const string DatabaseName = "tasksdb";

    public int ConsumerReplicas { get; set; } = 2;

    public int ProducerReplicas { get; set; } = 1;

    /// <summary>
    /// Start leaves the producers stopped; each is started with <see cref="PipelineApp.StartReplicaAsync"/> (the
    /// benchmark measures from that moment, with PostgreSQL and the consumers already idle and ready).
    /// </summary>
    public bool DeferProducers { get; set; }

    /// <summary>Where the embedded PostgreSQL keeps its data and password; null: <see cref="StateDirectories.Default"/>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Start with an empty database: the embedded server's data directory is deleted first.</summary>
    public bool Fresh { get; set; }

    /// <summary>An existing PostgreSQL server (ConnectionStrings:tasksdb); when set, nothing is embedded.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Configuration per resource ("consumer", "producer"): key ("Producer:Rate") → value, passed as environment.</summary>
    public IDictionary<string, IDictionary<string, string?>> Settings { get; init; } =
        new Dictionary<string, IDictionary<string, string?>>(StringComparer.Ordinal);

    public string Environment { get; set; } = "Development";

    /// <summary>How long each resource may take to become healthy.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a service may take to stop after SIGTERM before it is killed.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Where prefixed child output and the resource table are written; null keeps output in memory only.</summary>
    public TextWriter? Output { get; set; }

    /// <summary>An OTLP/gRPC collector (e.g. the Aspire dashboard) the services export to; null: no OTLP export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Run a Prometheus server scraping every replica, when one is installed (Debian package prometheus).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>The prometheus binary; null: PATH, then /usr/bin/prometheus.</summary>
    public string? PrometheusPath { get; set; }

    /// <summary>Prometheus' loopback port (for a Grafana data source that outlives a run); 0: a free port.</summary>
    public int PrometheusPort { get; set; }

    /// <summary>How often Prometheus scrapes each replica's /metrics.</summary>
    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The built services to run, by resource name; the solution's own by default.</summary>
    public IReadOnlyDictionary<string, ServiceProject> Projects { get; set; } = ServiceProjects.All;

    /// <summary>Adds one configuration value for a resource (e.g. "producer", "Producer:Rate", "100").</summary>
    public PipelineOptions Set(string resource, string key, string? value)
    {
        if (!Settings.TryGetValue(resource, out var settings))
        {
            settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Settings[resource] = settings;
        }

        settings[key] = value;
        return this;
    }

    internal void Validate()
    {
        if (ConsumerReplicas is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(ConsumerReplicas), ConsumerReplicas, "must be from 0 to 64");
        }

        if (ProducerReplicas is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(ProducerReplicas), ProducerReplicas, "must be from 0 to 64");
        }

        if (ProducerReplicas > 0 && ConsumerReplicas == 0)
        {
            throw new ArgumentException("producers need at least one consumer to send tasks to", nameof(ConsumerReplicas));
        }

        if (StartTimeout <= TimeSpan.Zero || StopGrace < TimeSpan.Zero)
        {
            throw new ArgumentException("StartTimeout must be positive and StopGrace not negative", nameof(StartTimeout));
        }

        if (PrometheusPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(PrometheusPort), PrometheusPort, "must be 0 (a free port) or a port number up to 65535");
        }

        if (ScrapeInterval < TimeSpan.FromMilliseconds(100) || ScrapeInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ScrapeInterval), ScrapeInterval, "must be from 100 ms to 1 h");
        }

        foreach (var (resource, settings) in Settings)
        {
            if (resource is not (ConsumerResource or ProducerResource))
            {
                throw new ArgumentException(
                    $"settings for unknown resource '{resource}' (known: {ConsumerResource}, {ProducerResource})", nameof(Settings));
            }

            if (settings.Keys.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
            {
                throw new ArgumentException($"a setting for '{resource}' has an empty key", nameof(Settings));
            }
        }
    }
}
