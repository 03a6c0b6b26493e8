using System.Net;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// The running pipeline: PostgreSQL, the consumer replicas, then the producer replicas, each started once what it
/// depends on is healthy, supervised, and stopped in reverse order. What Aspire.Hosting.Testing's distributed
/// application is to an Aspire AppHost, this is to ours: the CLI runs it, tests drive it.
/// </summary>
internal sealed class PipelineApp : IAsyncDisposable
{
    public const string HttpEndpoint = "http";
    public const string ManagementEndpoint = "management";
    public const string TcpEndpoint = "tcp";

    private readonly PipelineOptions options;
    private readonly OutputSink sink;
    private readonly HttpClient probe;
    private readonly ResourceLog postgresLog;
    private readonly ResourceLog prometheusLog;
    private readonly List<ServiceReplica> consumers = [];
    private readonly List<ServiceReplica> producers = [];
    private readonly Lock stopGate = new();
    private DatabaseConnection? database;
    private PrometheusServer? prometheus;
    private Task? stopping;

    private PipelineApp(PipelineOptions options)
    {
        this.options = options;
        var labels = Enumerable.Range(0, options.ConsumerReplicas).Select(i => $"{PipelineOptions.ConsumerResource}-{i}")
            .Concat(Enumerable.Range(0, options.ProducerReplicas).Select(i => $"{PipelineOptions.ProducerResource}-{i}"))
            .Append(PipelineOptions.PostgresResource)
            .Concat(options.Prometheus ? [PipelineOptions.PrometheusResource] : []);
        sink = new OutputSink(options.Output, labels);
        postgresLog = new ResourceLog(PipelineOptions.PostgresResource, sink);
        prometheusLog = new ResourceLog(PipelineOptions.PrometheusResource, sink);
        // Health probes go straight to loopback ports: no proxy, no pooled connection outliving a restarted replica.
        probe = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(1),
            PooledConnectionLifetime = TimeSpan.FromSeconds(10),
        });

        for (var i = 0; i < options.ConsumerReplicas; i++)
        {
            consumers.Add(new ServiceReplica(ServiceDefinition.Consumer, i, ProjectOf(PipelineOptions.ConsumerResource), sink, probe, EnvironmentOf, TimeProvider.System));
        }

        for (var i = 0; i < options.ProducerReplicas; i++)
        {
            producers.Add(new ServiceReplica(ServiceDefinition.Producer, i, ProjectOf(PipelineOptions.ProducerResource), sink, probe, EnvironmentOf, TimeProvider.System));
        }
    }

    /// <summary>Aspire's format: Host=…;Port=…;Username=postgres;Password=…;Database=tasksdb.</summary>
    public string ConnectionString => Database.ConnectionString;

    /// <summary>The server the AppHost runs; null when the pipeline uses an external one.</summary>
    public EmbeddedPostgres? Postgres { get; private set; }

    /// <summary>The Prometheus server the AppHost runs; null when it is off or not installed.</summary>
    public PrometheusServer? Prometheus => prometheus;

    public IReadOnlyList<ResourceSnapshot> Resources =>
    [
        PostgresSnapshot(),
        .. consumers.Select(c => c.Snapshot()),
        .. producers.Select(p => p.Snapshot()),
        .. prometheus is null ? Array.Empty<ResourceSnapshot>() : [PrometheusSnapshot(prometheus)],
    ];

    private DatabaseConnection Database => database ?? throw new InvalidOperationException("the pipeline has not been started");

    /// <summary>
    /// Starts PostgreSQL (or checks the external server), then every consumer replica at once, then the producers once
    /// every consumer is healthy, and prints the resource table. Anything started is stopped again when a step fails.
    /// </summary>
    public static async Task<PipelineApp> StartAsync(PipelineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var app = new PipelineApp(options);
        AppDomain.CurrentDomain.ProcessExit += app.OnProcessExit;
        try
        {
            await app.StartResourcesAsync(cancellationToken);
        }
        catch
        {
            await app.StopAsync(CancellationToken.None);
            throw;
        }

        app.sink.WriteBlock(ResourceTable.Format(app.Resources));
        return app;
    }

    /// <summary>
    /// <c>http</c> (gRPC or the API) or <c>management</c> (/health, /alive, /metrics); <c>tcp</c> for postgres;
    /// <c>http</c> for prometheus (its UI and HTTP API).
    /// </summary>
    public Uri GetEndpoint(string resource, string endpoint = HttpEndpoint, int replica = 0)
    {
        if (resource == PipelineOptions.PrometheusResource)
        {
            return endpoint != HttpEndpoint
                ? throw new ArgumentException($"prometheus has one endpoint, '{HttpEndpoint}'", nameof(endpoint))
                : prometheus?.Url ?? throw new InvalidOperationException(
                    options.Prometheus ? PrometheusServer.NotFoundMessage : "prometheus is turned off (PipelineOptions.Prometheus)");
        }

        if (resource == PipelineOptions.PostgresResource)
        {
            return endpoint == TcpEndpoint
                ? new Uri($"tcp://{Database.Host}:{Database.Port}")
                : throw new ArgumentException($"postgres has one endpoint, '{TcpEndpoint}'", nameof(endpoint));
        }

        var service = Replica(resource, replica);
        return endpoint switch
        {
            HttpEndpoint => service.HttpEndpoint,
            ManagementEndpoint => service.ManagementEndpoint,
            _ => throw new ArgumentException($"{resource} has the endpoints '{HttpEndpoint}' and '{ManagementEndpoint}'", nameof(endpoint)),
        };
    }

    /// <summary>A client for one replica's endpoint; for the consumer's HTTP/2-only gRPC endpoint it speaks HTTP/2 directly.</summary>
    public HttpClient CreateHttpClient(string resource, string endpoint = HttpEndpoint, int replica = 0)
    {
        var client = new HttpClient { BaseAddress = GetEndpoint(resource, endpoint, replica) };
        if (endpoint == HttpEndpoint && Replica(resource, replica).Definition.Http2Only)
        {
            client.DefaultRequestVersion = HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    /// <summary>Until the replica's /health answers 200 (postgres: until it accepts connections).</summary>
    public async Task WaitForHealthyAsync(string resource, int replica, CancellationToken cancellationToken)
    {
        if (resource == PipelineOptions.PostgresResource)
        {
            await DatabaseBootstrap.WaitUntilAcceptingAsync(Database, () => true, Timeout.InfiniteTimeSpan, cancellationToken);
            return;
        }

        await Replica(resource, replica).WaitForHealthyAsync(cancellationToken);
    }

    /// <summary>Stops one replica (SIGTERM, grace, SIGKILL); it stays stopped until <see cref="StartReplicaAsync"/>.</summary>
    public Task StopReplicaAsync(string resource, int replica, CancellationToken cancellationToken) =>
        Replica(resource, replica).StopAsync(options.StopGrace, cancellationToken);

    /// <summary>Starts a stopped replica again on the same ports and waits until it is healthy.</summary>
    public Task StartReplicaAsync(string resource, int replica, CancellationToken cancellationToken)
    {
        lock (stopGate)
        {
            ObjectDisposedException.ThrowIf(stopping is not null, this);
        }

        return Replica(resource, replica).StartAsync(options.StartTimeout, allowNewPorts: false, cancellationToken);
    }

    /// <summary>SIGKILL, like a crash; the supervisor restarts the replica with backoff.</summary>
    public void KillReplica(string resource, int replica) => Replica(resource, replica).Kill();

    /// <summary>The replica's output lines (the last 20,000), including the AppHost's notes about it.</summary>
    public IReadOnlyList<string> GetLogs(string resource, int replica = 0) => resource switch
    {
        PipelineOptions.PostgresResource => postgresLog.Snapshot(),
        PipelineOptions.PrometheusResource => prometheusLog.Snapshot(),
        _ => Replica(resource, replica).Log.Snapshot(),
    };

    /// <summary>
    /// Producers first (nothing new is sent), then consumers (in-flight work drains), each SIGTERM, up to StopGrace,
    /// then SIGKILL; then PostgreSQL. Idempotent: every call awaits the same stop. Cancelling cuts the grace periods.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (stopGate)
        {
            return stopping ??= StopResourcesAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private async Task StartResourcesAsync(CancellationToken cancellationToken)
    {
        foreach (var replica in consumers.Concat(producers).DistinctBy(r => r.Resource))
        {
            // Fail before PostgreSQL is started, not after.
            var project = ProjectOf(replica.Resource);
            if (!File.Exists(project.AssemblyPath))
            {
                throw new PipelineStartException(
                    $"{replica.Resource} is not built ({project.AssemblyPath} does not exist): build first (dotnet build TaskPipeline.sln)");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            await UseExternalDatabaseAsync(options.ConnectionString, cancellationToken);
        }
        else
        {
            Postgres = new EmbeddedPostgres(options.StateDirectory ?? StateDirectories.Default, options.Fresh, options.StartTimeout, postgresLog);
            await Postgres.StartAsync(cancellationToken);
            database = Postgres.Connection;
        }

        await StartAllAsync(consumers, cancellationToken);
        // Before the producers, so it has their counters from the first task on (a rate needs the earlier sample).
        await StartPrometheusAsync(cancellationToken);
        if (!options.DeferProducers)
        {
            await StartAllAsync(producers, cancellationToken);
            if (prometheus is not null)
            {
                // A producer whose port was taken meanwhile started on another one.
                await prometheus.UpdateTargetsAsync(ScrapeTargets(), cancellationToken);
            }
        }
    }

    private List<PrometheusConfig.Target> ScrapeTargets() => [.. consumers.Concat(producers)
        .Select(replica => new PrometheusConfig.Target(replica.Resource, replica.Index, replica.ManagementEndpoint))];

    /// <summary>Once the consumers' ports are final; the producers' are known before they start (and rarely change).</summary>
    private async Task StartPrometheusAsync(CancellationToken cancellationToken)
    {
        if (!options.Prometheus)
        {
            return;
        }

        if (PrometheusServer.Find(options.PrometheusPath) is not { } binary)
        {
            prometheusLog.Note(PrometheusServer.NotFoundMessage);
            return;
        }

        var server = new PrometheusServer(
            binary, options.StateDirectory ?? StateDirectories.Default, options.PrometheusPort, options.ScrapeInterval, options.Fresh, prometheusLog, probe);
        prometheus = server;
        await server.StartAsync(ScrapeTargets(), options.StartTimeout, cancellationToken);
    }

    private async Task UseExternalDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var external = DatabaseConnection.Parse(connectionString);
        sink.AddSecret(external.Password);
        postgresLog.Note($"using the PostgreSQL server of ConnectionStrings:tasksdb: {external.Masked}");
        try
        {
            await DatabaseBootstrap.EnsureDatabaseAsync(external, postgresLog, cancellationToken);
        }
        catch (Npgsql.NpgsqlException exception)
        {
            throw new PipelineStartException(
                $"cannot use the PostgreSQL server of ConnectionStrings:tasksdb ({external.Masked}): {sink.Mask(exception.Message)}", null, exception);
        }

        database = external;
    }

    /// <summary>All replicas at once; when one fails, the others still finish starting (and are stopped with the rest).</summary>
    private async Task StartAllAsync(List<ServiceReplica> replicas, CancellationToken cancellationToken) =>
        await Task.WhenAll(replicas.Select(replica => replica.StartAsync(options.StartTimeout, allowNewPorts: true, cancellationToken)));

    private async Task StopResourcesAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(producers.Select(producer => producer.StopAsync(options.StopGrace, cancellationToken)));
        await Task.WhenAll(consumers.Select(consumer => consumer.StopAsync(options.StopGrace, cancellationToken)));
        if (prometheus is not null)
        {
            // After the services, so their last values are scraped; before PostgreSQL, which it does not need.
            await prometheus.StopAsync(cancellationToken);
        }

        if (Postgres is not null)
        {
            await Postgres.StopAsync(cancellationToken);
            await Postgres.DisposeAsync();
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var replica in producers.Concat(consumers))
        {
            replica.Dispose();
        }

        probe.Dispose();
    }

    /// <summary>
    /// The process is exiting without having stopped the pipeline (a test host that did not dispose it): ask every
    /// child to stop on its own rather than leave it running. PostgreSQL's fast shutdown needs nobody to wait for it.
    /// </summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        sink.WriteLine(OutputSink.AppHostLabel, "exiting without having stopped the pipeline: asking every resource to stop");
        foreach (var replica in producers.Concat(consumers))
        {
            replica.Abandon();
        }

        prometheus?.Abandon();
        Postgres?.Abandon();
    }

    private Dictionary<string, string?> EnvironmentOf(ServiceReplica replica) =>
        ServiceEnvironment.For(replica, Database, [.. consumers.Select(consumer => consumer.HttpEndpoint)], options, Environment.ProcessId);

    private ServiceProject ProjectOf(string resource) => options.Projects.TryGetValue(resource, out var project)
        ? project
        : throw new PipelineStartException($"no service project named '{resource}' (known: {string.Join(", ", options.Projects.Keys)})");

    private ServiceReplica Replica(string resource, int replica)
    {
        var replicas = resource switch
        {
            PipelineOptions.ConsumerResource => consumers,
            PipelineOptions.ProducerResource => producers,
            _ => throw new ArgumentException(
                $"unknown resource '{resource}' (known: {PipelineOptions.PostgresResource}, {PipelineOptions.ConsumerResource}, {PipelineOptions.ProducerResource})",
                nameof(resource)),
        };
        return replica >= 0 && replica < replicas.Count
            ? replicas[replica]
            : throw new ArgumentOutOfRangeException(nameof(replica), replica, $"{resource} has {replicas.Count} replica(s)");
    }

    private static ResourceSnapshot PrometheusSnapshot(PrometheusServer server) =>
        new(PipelineOptions.PrometheusResource, 0, server.State, server.Pid,
        [
            new ResourceUrl(HttpEndpoint, server.Url.GetLeftPart(UriPartial.Authority)),
            new ResourceUrl("targets", new Uri(server.Url, "/targets").ToString()),
        ]);

    private ResourceSnapshot PostgresSnapshot()
    {
        var urls = database is null
            ? []
            : new ResourceUrl[] { new(TcpEndpoint, $"tcp://{database.Host}:{database.Port}"), new("database", database.Database) };
        return Postgres is null
            ? new ResourceSnapshot(PipelineOptions.PostgresResource, 0, database is null ? ResourceState.Starting : ResourceState.External, null, urls)
            : new ResourceSnapshot(PipelineOptions.PostgresResource, 0, Postgres.State, Postgres.Pid, urls);
    }
}
