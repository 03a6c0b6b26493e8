using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The app under test: the real AppHost (TaskPipeline.AppHost) started in this process through Aspire.Hosting.Testing,
/// with the handles the benchmark needs: each replica's process id (the snapshot's <c>executable.pid</c>), its last
/// console lines (ResourceLoggerService), Aspire's Start and Stop commands, and tasksdb's connection string.
/// </summary>
internal sealed class BenchmarkApp : IAsyncDisposable
{
    public const string ProducerResource = "producer";
    public const string ConsumerResource = "consumer";
    public const string PostgresResource = "postgres";
    public const string DatabaseResource = "tasksdb";

    /// <summary>The services run as they ship, not in the testing builder's Development environment.</summary>
    public const string ServiceEnvironment = "Production";

    private const int TailLines = 20;

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    private readonly ResourceLogs _logs;

    private BenchmarkApp(DistributedApplication app, TextWriter? echo)
    {
        App = app;
        _logs = new ResourceLogs(app, TailLines * 5, echo);
    }

    public DistributedApplication App { get; }

    /// <summary>tasksdb's connection string (set once started).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The project files of the services, for the settings they start with.</summary>
    public IReadOnlyDictionary<string, string> ProjectPaths { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// Builds and starts the app from <paramref name="arguments"/> (AppHost configuration), and waits until tasksdb and
    /// <paramref name="consumers"/> Consumer replicas are healthy. The Producer is not started (ProducerExplicitStart).
    /// </summary>
    public static async Task<BenchmarkApp> StartAsync(
        string[] arguments, int consumers, bool telemetry, TextWriter? echo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startTimeout.CancelAfter(timeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TaskPipeline_AppHost>(
            arguments,
            (options, _) =>
            {
                // Without the dashboard the services get no OTLP endpoint (the AppHost's WithDashboardTelemetry), so they export nothing.
                options.DisableDashboard = !telemetry;
                options.AllowUnsecuredTransport = true;
            },
            startTimeout.Token);

        // Stdout is the report alone: the host's own log lines (and the resources' lines the testing builder forwards
        // to it) go to stderr, warnings and up only.
        builder.Services.AddLogging(logging => logging
            .ClearProviders()
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddFilter((category, level) => level >= LogLevel.Warning
                // The resources' console lines (PostgreSQL's stderr shows as errors) are echoed by --verbose instead, and
                // a replica's health checks fail, as expected, until it is ready.
                && category?.Contains(".Resources.", StringComparison.Ordinal) != true
                && category?.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal) != true));
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        var projectPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            projectPaths[project.Name] = project.GetProjectMetadata().ProjectPath;
            builder.CreateResourceBuilder(project)
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", ServiceEnvironment)
                .WithEnvironment("DOTNET_ENVIRONMENT", ServiceEnvironment);
        }

        var app = await builder.BuildAsync(startTimeout.Token);
        var benchmarkApp = new BenchmarkApp(app, echo) { ProjectPaths = projectPaths };
        try
        {
            await app.StartAsync(startTimeout.Token);
            await benchmarkApp.WaitForHealthyAsync(DatabaseResource, 1, startTimeout.Token);
            await benchmarkApp.WaitForHealthyAsync(ConsumerResource, consumers, startTimeout.Token);
            benchmarkApp.ConnectionString = await app.GetConnectionStringAsync(DatabaseResource, startTimeout.Token)
                ?? throw new InvalidOperationException($"{DatabaseResource} has no connection string");
            return benchmarkApp;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var tail = benchmarkApp.Tails();
            await benchmarkApp.DisposeAsync();
            throw new BenchmarkException($"the app was not ready within {timeout.TotalSeconds:0} s", tail);
        }
        catch
        {
            await benchmarkApp.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Producer's HTTP endpoint (the Task API and the dashboard), as Aspire allocated it.</summary>
    public Uri ProducerApi => App.GetEndpoint(ProducerResource, "http");

    /// <summary>The resource ids of a resource's replicas, in ordinal order.</summary>
    public IReadOnlyList<string> ReplicaIds(string resource) =>
        [.. _logs.Names.Where(pair => pair.Value == resource).Select(pair => pair.Key).Order(StringComparer.Ordinal)];

    /// <summary>Every replica of the app's processes that runs now: (resource name, the pid Aspire reports).</summary>
    public List<(string Resource, int Pid)> Processes(params string[] resources)
    {
        var processes = new List<(string, int)>();
        foreach (var resource in resources.Length == 0 ? [ProducerResource, ConsumerResource, PostgresResource] : resources)
        {
            foreach (var id in ReplicaIds(resource))
            {
                if (ProcessId(id) is { } pid)
                {
                    processes.Add((resource, pid));
                }
            }
        }

        return processes;
    }

    /// <summary>The process id Aspire reports for a replica, or null when it has none (not started, or stopped).</summary>
    public int? ProcessId(string resourceId, bool runningOnly = true)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(resourceId, out var state) || state is null
            || (runningOnly && state.Snapshot.State?.Text != KnownResourceStates.Running))
        {
            return null;
        }

        return state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) => pid,
            _ => null,
        };
    }

    /// <summary>Aspire's Start command on every replica of <paramref name="resource"/> (the Producer, started explicitly).</summary>
    public async Task StartAsync(string resource, CancellationToken cancellationToken)
    {
        foreach (var id in ReplicaIds(resource))
        {
            await ExecuteAsync(id, KnownResourceCommands.StartCommand, cancellationToken);
        }
    }

    /// <summary>
    /// Aspire's Stop command on every replica of <paramref name="resource"/>; waits until each has stopped. On a busy
    /// machine DCP may give up waiting for a graceful stop (its Stop command then fails): the replica is then given
    /// <see cref="StopGrace"/> more, and killed (its whole process tree) if it is still there.
    /// </summary>
    public async Task StopAsync(string resource, CancellationToken cancellationToken)
    {
        foreach (var id in ReplicaIds(resource))
        {
            var stopped = App.ResourceNotifications.WaitForResourceAsync(
                resource,
                update => update.ResourceId == id && update.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state),
                cancellationToken);
            var result = await App.ResourceCommands.ExecuteCommandAsync(id, KnownResourceCommands.StopCommand, cancellationToken);
            if (result.Success)
            {
                await stopped;
                continue;
            }

            if (await Task.WhenAny(stopped, Task.Delay(StopGrace, cancellationToken)) == stopped)
            {
                continue;
            }

            // DCP gave up on the stop and may never report the replica stopped: what counts is that its processes are gone.
            if (ProcessId(id, runningOnly: false) is { } pid)
            {
                var tree = ProcFs.ReadTree(pid, ProcFs.ReadAll());
                foreach (var process in Enumerable.Reverse(tree))
                {
                    try
                    {
                        using var target = System.Diagnostics.Process.GetProcessById(process.Pid);
                        target.Kill();
                    }
                    catch (ArgumentException)
                    {
                        // Already gone.
                    }
                }

                var deadline = DateTime.UtcNow + StopGrace;
                while (tree.Any(process => ProcFs.IsAlive(process.Pid)))
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new BenchmarkException($"{id} could not be stopped: {result.Message}", Tails());
                    }

                    await Task.Delay(100, cancellationToken);
                }
            }
        }
    }

    /// <summary>Each replica's last console lines (for a run that could not finish).</summary>
    public List<string> Tails() => _logs.Tails(TailLines);

    public ValueTask DisposeAsync() => _logs.DisposeAsync();

    private async Task ExecuteAsync(string resourceId, string command, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resourceId, command, cancellationToken);
        if (!result.Success)
        {
            throw new BenchmarkException($"{command} on {resourceId} failed: {result.Message}", Tails());
        }
    }

    /// <summary>Waits until <paramref name="count"/> replicas of <paramref name="resource"/> run and are healthy.</summary>
    public async Task WaitForHealthyAsync(string resource, int count, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        await App.ResourceNotifications.WaitForResourceAsync(resource, update =>
        {
            _logs.Saw(update.ResourceId, update.Resource.Name);
            if (update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
            }

            return healthy.Count >= count;
        }, cancellationToken);
    }
}
