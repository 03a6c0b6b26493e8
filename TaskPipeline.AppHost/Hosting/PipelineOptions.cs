namespace TaskPipeline.AppHost.Hosting;

/// <summary>What the AppHost starts and how: the counterpart of an Aspire AppHost's Program.cs plus its launch profile.</summary>
internal sealed class PipelineOptions
{
    public const string ConsumerResource = "consumer";
    public const string ProducerResource = "producer";
    public const string PostgresResource = "postgres";
    public const string DatabaseName = "tasksdb";

    public int ConsumerReplicas { get; set; } = 2;

    public int ProducerReplicas { get; set; } = 1;

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
