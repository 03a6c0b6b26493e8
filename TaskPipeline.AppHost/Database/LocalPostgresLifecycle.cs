using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TaskPipeline.AppHost.Database;

/// <summary>
/// What the local PostgreSQL resource needs while the app runs and when it stops. Aspire copies a parent's state only
/// to children of containers: the databases' states follow the server's here, and each database is created the first
/// time the server is healthy.
/// When the app stops (Ctrl+C, SIGTERM), Aspire stops every resource at once, and what DCP sends PostgreSQL, SIGTERM,
/// is its smart shutdown, which waits for every session: DCP kills the server about 6 s later (measured), leaving its
/// lock file and a crash recovery for the next start, and the services lose the database while they drain. So, before
/// Aspire stops anything, the services are stopped in dependency order (those that wait for other services first: the
/// Producers, then the Consumers, which release their leases on the way out), each step within
/// <see cref="ServiceStopPatience"/>, and then PostgreSQL gets its fast shutdown (SIGINT).
/// </summary>
internal sealed class LocalPostgresLifecycle(
    LocalPostgresResource server,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    DistributedApplicationModel model,
    ILogger logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan ServiceStopPatience = TimeSpan.FromSeconds(20);

    /// <summary>A healthy server can still refuse a connection for a moment (a loaded machine): a few tries, then a loud stop.</summary>
    private const int DatabaseCreationAttempts = 5;

    // Aspire's notifications end as the app stops: the last states seen are kept for the shutdown.
    private readonly ConcurrentDictionary<string, (ProjectResource Service, string State)> _serviceStates = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _watching = Task.CompletedTask;
    private int? _processId;
    private int _stopped;

    public void StartWatching() => _watching = WatchAsync(_stopping.Token);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Aspire.Hosting.Testing stops the host twice (StopAsync, then DisposeAsync): a stop command for a replica that
        // is already gone is retried by Aspire until the patience runs out, so the second stop has nothing to do.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var services = model.Resources.OfType<ProjectResource>().ToList();
        var waitOnServices = services.Where(service => service.Annotations.OfType<WaitAnnotation>().Any(wait => wait.Resource is ProjectResource)).ToList();
        foreach (var step in new[] { waitOnServices, services.Except(waitOnServices).ToList() })
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(ServiceStopPatience);
            try
            {
                // Only replicas still running: Aspire retries a stop command for one that is gone until the patience ends.
                var running = _serviceStates.Where(replica => step.Contains(replica.Value.Service) && !KnownResourceStates.TerminalStates.Contains(replica.Value.State));
                await Task.WhenAll(running.Select(replica => commands.ExecuteCommandAsync(replica.Key, KnownResourceCommands.StopCommand, patience.Token)));
            }
            catch (OperationCanceledException)
            {
                // Out of patience: go on; Aspire stops what is left.
            }
        }

        AppHostLog.PostgresFastShutdown(logger, _processId, _serviceStates.Values.Count(replica => !KnownResourceStates.TerminalStates.Contains(replica.State)));
        if (_processId is { } pid)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            await (kill?.WaitForExitAsync(CancellationToken.None) ?? Task.CompletedTask);
        }

        await _stopping.CancelAsync();
        await _watching;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task WatchAsync(CancellationToken stopping)
    {
        var services = model.Resources.OfType<ProjectResource>().ToHashSet();
        var created = false;
        string? mirrored = null;
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource is ProjectResource service && services.Contains(service))
                {
                    _serviceStates[update.ResourceId] = (service, update.Snapshot.State?.Text ?? KnownResourceStates.NotStarted);
                    continue;
                }

                if (update.Resource != server)
                {
                    continue;
                }

                if (update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is IConvertible pid)
                {
                    _processId = pid.ToInt32(CultureInfo.InvariantCulture);
                }

                var state = update.Snapshot.State?.Text;
                var healthy = state == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy;
                if (healthy && !created)
                {
                    if (!await TryCreateDatabasesAsync(stopping))
                    {
                        // Said loudly, and the databases' state says it too: whatever waits for them fails instead of
                        // waiting forever.
                        await PublishDatabaseStateAsync(KnownResourceStates.FailedToStart);
                        return;
                    }

                    created = true;
                }

                var mirror = healthy ? KnownResourceStates.Running
                    : state is null || state == KnownResourceStates.Running || state == KnownResourceStates.Starting || state == KnownResourceStates.NotStarted
                        ? KnownResourceStates.Waiting
                        : state;
                if (mirror != mirrored)
                {
                    mirrored = mirror;
                    await PublishDatabaseStateAsync(mirror);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task PublishDatabaseStateAsync(string state)
    {
        var style = state == KnownResourceStates.Running ? KnownResourceStateStyles.Success
            : state == KnownResourceStates.Waiting ? KnownResourceStateStyles.Info
            : KnownResourceStateStyles.Error;
        foreach (var database in server.Databases)
        {
            await notifications.PublishUpdateAsync(database, snapshot => snapshot with
            {
                State = new ResourceStateSnapshot(state, style),
                StartTimeStamp = state == KnownResourceStates.Running ? DateTime.UtcNow : snapshot.StartTimeStamp,
            });
        }
    }

    private async Task<bool> TryCreateDatabasesAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CreateDatabasesAsync(cancellationToken);
                return true;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt == DatabaseCreationAttempts)
                {
                    AppHostLog.DatabasesNotCreated(logger, exception, attempt);
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    private async Task CreateDatabasesAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var name in server.Databases.Select(database => database.DatabaseName))
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
