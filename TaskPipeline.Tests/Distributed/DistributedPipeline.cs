using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TaskPipeline.Benchmarks;

namespace TaskPipeline.Tests.Distributed;

/// <summary>
/// The whole app started through Aspire.Hosting.Testing from the real AppHost, with the handles tests need: each
/// replica's own endpoints (read from the environment DCP gave it), its logs (ResourceLoggerService), its process id
/// (the snapshot's <c>executable.pid</c>), and stop/start through Aspire's resource commands.
/// Replicas are numbered by their resource ids in ordinal order, as the AppHost's Prometheus targets are.
/// </summary>
public sealed class DistributedPipeline : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>How long a replica's stop or start may take before the test fails instead of waiting on.</summary>
    private static readonly TimeSpan CommandPatience = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _overrides;
    private readonly ResourceLogs _logs;

    private DistributedPipeline(
        DistributedApplication app, AppArguments arguments, ConcurrentDictionary<string, ConcurrentDictionary<string, string>> overrides)
    {
        _overrides = overrides;
        App = app;
        Arguments = arguments;
        _logs = new ResourceLogs(app);
    }

    public DistributedApplication App { get; }

    public AppArguments Arguments { get; }

    /// <summary>tasksdb's connection string (Aspire's format).</summary>
    public string ConnectionString { get; private set; } = "";

    public static async Task<DistributedPipeline> StartAsync(AppArguments arguments, string stateDirectory, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TaskPipeline_AppHost>(
            arguments.ToArgs(stateDirectory),
            (options, _) =>
            {
                options.DisableDashboard = !arguments.Dashboard;
                options.AllowUnsecuredTransport = true;
            },
            timeout.Token);
        // Settings a test changes between a replica's stop and its next start (Aspire computes a replica's environment
        // at every start, as it would after an edit in the AppHost).
        var overrides = new ConcurrentDictionary<string, ConcurrentDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var settings = overrides.GetOrAdd(project.Name, _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal));
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
            {
                foreach (var (key, value) in settings)
                {
                    context.EnvironmentVariables[key.Replace(":", "__", StringComparison.Ordinal)] = value;
                }
            });
        }

        var app = await builder.BuildAsync(timeout.Token);
        // Following the resources from before the start: when the start fails, their states and last lines say why.
        var pipeline = new DistributedPipeline(app, arguments, overrides);
        try
        {
            await app.StartAsync(timeout.Token);
            pipeline.ConnectionString = await app.GetConnectionStringAsync("tasksdb", timeout.Token)
                ?? throw new InvalidOperationException("tasksdb has no connection string");
            await pipeline.WaitForReplicasHealthyAsync("consumer", arguments.ConsumerReplicas, timeout.Token);
            await pipeline.WaitForReplicasHealthyAsync("producer", arguments.ProducerReplicas, timeout.Token);
            return pipeline;
        }
        catch (Exception exception)
        {
            var report = pipeline.DescribeResources();
            await pipeline.DisposeAsync();
            throw new InvalidOperationException($"the app did not start ({exception.Message})\n{report}", exception);
        }
    }

    /// <summary>A service setting for the replicas' next starts (e.g. <c>Override("producer", "Producer:MaxTasks", 500)</c>).</summary>
    public void Override(string resource, string key, object value) =>
        _overrides[resource][key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;

    /// <summary>Sends a signal (e.g. <c>INT</c>, PostgreSQL's fast shutdown) to the process Aspire reports for the resource.</summary>
    public async Task SignalAsync(string resource, string signal, int replica = 0)
    {
        using var kill = Process.Start("kill", [$"-{signal}", ProcessId(resource, replica).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} of {resource} failed with exit code {kill.ExitCode}");
        }
    }

    /// <summary>Until the replica is in a terminal state (Exited, Finished, FailedToStart), as Aspire reports it.</summary>
    public Task WaitForStoppedAsync(string resource, int replica, CancellationToken cancellationToken) =>
        WaitForStateAsync(ReplicaId(resource, replica), state => KnownResourceStates.TerminalStates.Contains(state), cancellationToken);

    /// <summary>The exit code Aspire reports for the replica's last process, null while it runs.</summary>
    public int? ExitCode(string resource, int replica = 0) => Snapshot(ReplicaId(resource, replica)).ExitCode;

    /// <summary>A property of the replica as the dashboard shows it (null when it has none).</summary>
    public object? Property(string resource, int replica, string name) =>
        Snapshot(ReplicaId(resource, replica)).Properties.FirstOrDefault(p => p.Name == name)?.Value;

    /// <summary>The resource's current state text (Running, Exited, …).</summary>
    public string? State(string resource, int replica = 0) => Snapshot(ReplicaId(resource, replica)).State?.Text;

    /// <summary>The resource ids of a resource's replicas, in ordinal order (replica 0 first).</summary>
    public IReadOnlyList<string> ReplicaIds(string resource)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var target = model.Resources.Single(r => r.Name == resource);
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var id in KnownIds())
        {
            if (App.ResourceNotifications.TryGetCurrentState(id, out var state) && state?.Resource == target)
            {
                ids.Add(id);
            }
        }

        return [.. ids];
    }

    public string ReplicaId(string resource, int replica)
    {
        var ids = ReplicaIds(resource);
        return replica >= 0 && replica < ids.Count
            ? ids[replica]
            : throw new ArgumentOutOfRangeException(nameof(replica), replica, $"{resource} has {ids.Count} replica(s)");
    }

    /// <summary>A replica's own URL of a Kestrel endpoint (<c>http</c> or <c>management</c>), not the proxy in front of all.</summary>
    public Uri GetEndpoint(string resource, string endpoint = "http", int replica = 0)
    {
        var snapshot = Snapshot(ReplicaId(resource, replica));
        var url = snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == $"Kestrel__Endpoints__{endpoint}__Url")?.Value
            ?? throw new InvalidOperationException($"{resource} replica {replica} has no '{endpoint}' endpoint");
        var uri = new Uri(url);
        // Kestrel's "localhost" binds both loopback addresses; a test's client goes straight to IPv4.
        return new UriBuilder(uri) { Host = uri.Host == "localhost" ? "127.0.0.1" : uri.Host }.Uri;
    }

    /// <summary>
    /// A client for one replica's endpoint; the Consumer's HTTP/2-only gRPC endpoint is spoken to in HTTP/2, and the
    /// Producer's API with the development API key (<see cref="CreateAnonymousHttpClient"/> for none).
    /// </summary>
    public HttpClient CreateHttpClient(string resource, string endpoint = "http", int replica = 0)
    {
        var client = CreateAnonymousHttpClient(resource, endpoint, replica);
        if (resource == "producer" && endpoint == "http")
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", AppArguments.ApiKey);
        }

        return client;
    }

    /// <summary>A client for one replica's endpoint that sends no credentials.</summary>
    public HttpClient CreateAnonymousHttpClient(string resource, string endpoint = "http", int replica = 0)
    {
        var client = new HttpClient { BaseAddress = GetEndpoint(resource, endpoint, replica) };
        if (resource == "consumer" && endpoint == "http")
        {
            client.DefaultRequestVersion = HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    /// <summary>
    /// A gRPC channel to one Consumer replica whose calls carry <paramref name="secret"/> as the Producer sends it
    /// (<c>authorization: Bearer …</c>); null sends no credentials.
    /// </summary>
    public GrpcChannel CreateConsumerChannel(int replica = 0, string? secret = AppArguments.SubmitSecret)
    {
        var options = new GrpcChannelOptions();
        if (secret is not null)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {secret}");
                return Task.CompletedTask;
            }));
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }

        return GrpcChannel.ForAddress(GetEndpoint("consumer", "http", replica), options);
    }

    /// <summary>The process id Aspire reports for the replica.</summary>
    public int ProcessId(string resource, int replica = 0) =>
        Snapshot(ReplicaId(resource, replica)).Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, out var pid) => pid,
            var other => throw new InvalidOperationException($"{resource} replica {replica} reports no process id ({other})"),
        };

    /// <summary>
    /// SIGKILL, like a crash: the process Aspire reports for the replica and every process under it (a project runs
    /// under a <c>dotnet run</c> wrapper). DCP does not restart it: the AppHost's restart policy does when it is on
    /// (<see cref="AppArguments.Restarts"/>), else <see cref="StartReplicaAsync"/>, as the dashboard's Start command would.
    /// </summary>
    public void KillReplica(string resource, int replica = 0) => KillTree(ProcessId(resource, replica));

    private static void KillTree(int pid)
    {
        foreach (var process in Enumerable.Reverse(ProcessTree(pid)))
        {
            try
            {
                using var target = Process.GetProcessById(process);
                target.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>
    /// A graceful stop of one replica, as Ctrl+C or DCP's Stop would do it: SIGTERM to the service under the process
    /// Aspire reports (a project runs under a <c>dotnet run</c> wrapper, which exits with it); waits until Aspire reports
    /// it stopped. Not DCP's Stop command: it gives up on a Consumer that drains longer than its grace, and then never
    /// reports the replica stopped (seen on a loaded machine).
    /// </summary>
    public async Task StopReplicaAsync(string resource, int replica, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(CommandPatience);
        var id = ReplicaId(resource, replica);
        var tree = ProcessTree(ProcessId(resource, replica));
        foreach (var pid in tree.Count > 1 ? tree.Skip(1) : tree)
        {
            using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(patience.Token);
        }

        await WaitForStateAsync(id, state => KnownResourceStates.TerminalStates.Contains(state), patience.Token);
    }

    /// <summary>
    /// Aspire's Start command for one replica; waits until the new process answers 200 on its own /health (a
    /// snapshot's health can still be the old process' for a moment).
    /// </summary>
    public async Task StartReplicaAsync(string resource, int replica, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(CommandPatience);
        cancellationToken = patience.Token;
        var id = ReplicaId(resource, replica);
        await ExecuteAsync(id, KnownResourceCommands.StartCommand, cancellationToken);
        await WaitForHealthyAsync(id, cancellationToken);
        if (resource is "consumer" or "producer")
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                try
                {
                    using var response = await probe.GetAsync(new Uri(GetEndpoint(resource, "management", replica), "/health"), cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    /// <summary>Until the replica is Running and its health checks pass.</summary>
    public Task WaitForHealthyAsync(string resource, int replica, CancellationToken cancellationToken) =>
        WaitForHealthyAsync(ReplicaId(resource, replica), cancellationToken);

    /// <summary>The replica's console output so far (structured log lines as the service wrote them).</summary>
    public IReadOnlyList<string> GetLogs(string resource, int replica = 0) =>
        _logs.Lines(ReplicaId(resource, replica));

    public async Task ExecuteAsync(string resourceId, string command, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resourceId, command, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {resourceId} failed: {result.Message}");
        }
    }

    public ValueTask DisposeAsync() => _logs.DisposeAsync();

    private IEnumerable<string> KnownIds() => _logs.Names.Keys;

    /// <summary>Every resource's state and health, then each one's last lines.</summary>
    private string DescribeResources()
    {
        var states = KnownIds().Order(StringComparer.Ordinal).Select(id =>
            App.ResourceNotifications.TryGetCurrentState(id, out var state) && state is not null
                ? $"{id}: {state.Snapshot.State?.Text ?? "(no state)"}, health {state.Snapshot.HealthStatus?.ToString() ?? "unknown"}, exit code {state.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
                : $"{id}: (no state)");
        return $"resources:\n{string.Join('\n', states)}\nlast lines:\n{string.Join('\n', _logs.Tails(15))}";
    }

    private CustomResourceSnapshot Snapshot(string id) =>
        App.ResourceNotifications.TryGetCurrentState(id, out var state) && state is not null
            ? state.Snapshot
            : throw new InvalidOperationException($"no state for resource {id}");

    private async Task WaitForReplicasHealthyAsync(string resource, int count, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        await App.ResourceNotifications.WaitForResourceAsync(resource, update =>
        {
            _logs.Saw(update.ResourceId, update.Resource.Name);
            if (update.Snapshot.State?.Text == KnownResourceStates.Running
                && update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
            }

            return healthy.Count >= count;
        }, cancellationToken);
    }

    private async Task WaitForHealthyAsync(string id, CancellationToken cancellationToken)
    {
        await foreach (var update in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.ResourceId == id && update.Snapshot.State?.Text == KnownResourceStates.Running
                && update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                return;
            }
        }
    }

    private async Task WaitForStateAsync(string id, Func<string, bool> reached, CancellationToken cancellationToken)
    {
        await foreach (var update in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.ResourceId == id && update.Snapshot.State?.Text is { } state && reached(state))
            {
                return;
            }
        }
    }

    /// <summary>The process and its descendants, parents first, from /proc (the benchmark's reader).</summary>
    private static List<int> ProcessTree(int root) => [.. ProcFs.ReadTree(root, ProcFs.ReadAll()).Select(process => process.Pid)];
}
