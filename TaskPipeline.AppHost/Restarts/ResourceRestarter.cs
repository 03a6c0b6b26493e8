using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.AppHost.Restarts;

/// <summary>
/// Follows every replica of the resources marked <see cref="RestartOnFailureAnnotation"/> and tells an exit somebody
/// asked for from one nobody did. Aspire's Stop and Restart commands (the dashboard's buttons, and the AppHost's own
/// ordered shutdown) put a resource in <c>Stopping</c> before it exits, and Ctrl+C stops the application first; any other
/// way into a terminal state (a crash, a kill, a process that ends by itself, whatever its exit code, or a failed start)
/// is unexpected. Each unexpected exit is logged once with the resource's last lines and, under
/// <see cref="RestartPolicy.OnFailure"/>, followed by Aspire's Start command after <see cref="RestartBackoff"/>'s wait,
/// until the cap; the count is a property of the resource in the dashboard.
/// </summary>
internal sealed class ResourceRestarter(
    RestartSettings settings,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger logger) : IHostedService, IDisposable
{
    public const string RestartsProperty = "restart.count";
    public const string StatusProperty = "restart.status";

    private const int LastLines = 10;
    private static readonly TimeSpan LogReadPatience = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, Replica> _replicas = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _watching = Task.CompletedTask;

    public void StartWatching() => _watching = WatchAsync(_stopping.Token);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A pending restart ends with the cancellation; a Start command under way is Aspire's to end as it stops.
        await _stopping.CancelAsync();
        await _watching;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                // DCP publishes a snapshot without a state between a process and the next: it says nothing.
                if (!update.Resource.Annotations.OfType<RestartOnFailureAnnotation>().Any() || update.Snapshot.State?.Text is not { Length: > 0 } state)
                {
                    continue;
                }

                var replica = _replicas.GetOrAdd(update.ResourceId, _ => new Replica(new RestartBackoff(settings)));
                lock (replica)
                {
                    var previous = replica.State;
                    replica.State = state;
                    if (state == KnownResourceStates.Stopping)
                    {
                        replica.StopAsked = true;
                    }
                    else if (state == KnownResourceStates.Starting)
                    {
                        // Started by hand after an exit (the dashboard's Start): a fresh budget of restarts.
                        if (!replica.Restarting && previous is not null && IsTerminal(previous))
                        {
                            replica.Backoff.Reset();
                        }

                        replica.StopAsked = false;
                        replica.Restarting = false;
                    }
                    else if (IsTerminal(state) && previous is not null && !IsTerminal(previous)
                        && !replica.StopAsked && !lifetime.ApplicationStopping.IsCancellationRequested)
                    {
                        var (resource, id, exitCode) = (update.Resource, update.ResourceId, update.Snapshot.ExitCode);
                        _ = Task.Run(() => OnUnexpectedExitAsync(resource, id, state, exitCode, replica, stopping), CancellationToken.None);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Fail(exception, "(watching)");
        }
    }

    private async Task OnUnexpectedExitAsync(IResource resource, string id, string state, int? exitCode, Replica replica, CancellationToken stopping)
    {
        try
        {
            var exit = exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
            if (settings.Policy == RestartPolicy.Never)
            {
                // Not its last lines: reading a replica's console log from DCP while the replica is started again (the
                // dashboard's Start right after the exit) was seen to make DCP stop the new process a moment later.
                AppHostLog.ExitedNotRestarted(logger, id, state, exit);
                await PublishAsync(resource, id, 0, $"exited ({state}, exit code {exit}); not restarted (Policy=Never)");
                return;
            }

            // Read before this restarter starts it again, so the read is over by then (see above).
            var lastLines = await ReadLastLinesAsync(id, stopping);
            TimeSpan? delay;
            int restart, restarts;
            lock (replica)
            {
                delay = replica.Backoff.Next(time.GetUtcNow());
                (restart, restarts) = (replica.Backoff.RecentRestarts, replica.Backoff.TotalRestarts);
            }

            if (delay is not { } wait)
            {
                AppHostLog.RestartsExhausted(logger, id, state, exit, settings.MaxRestarts, settings.Window, lastLines);
                AppHostLog.ResourceRestartsExhausted(resourceLogs.GetLogger(id), state, exit, settings.MaxRestarts, settings.Window);
                await PublishAsync(resource, id, restarts, $"stopped: {settings.MaxRestarts} restarts within {settings.Window} reached");
                return;
            }

            AppHostLog.ExitedRestarting(logger, id, state, exit, restart, settings.MaxRestarts, settings.Window, wait, lastLines);
            AppHostLog.ResourceRestarting(resourceLogs.GetLogger(id), state, exit, restart, settings.MaxRestarts, settings.Window, wait);
            await Task.Delay(wait, time, stopping);
            lock (replica)
            {
                // Started by hand meanwhile, or stopped on purpose since: nothing to do.
                if (replica.State is null || !IsTerminal(replica.State) || replica.StopAsked || lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    return;
                }

                replica.Restarting = true;
            }

            var result = await commands.ExecuteCommandAsync(id, KnownResourceCommands.StartCommand, stopping);
            if (!result.Success)
            {
                lock (replica)
                {
                    replica.Restarting = false;
                }

                AppHostLog.RestartFailed(logger, id, result.Message ?? "no reason given");
                await PublishAsync(resource, id, restarts, $"could not be restarted: {result.Message}");
                return;
            }

            AppHostLog.Restarted(logger, id, restarts, exit);
            await PublishAsync(resource, id, restarts, $"restarted after exit code {exit}");
        }
        catch (Exception) when (stopping.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The app is stopping: whatever a restart under way met, there is nothing left to restart.
        }
        catch (Exception exception)
        {
            Fail(exception, id);
        }
    }

    /// <summary>The policy is part of what the user runs: a restarter that broke stops the app loudly, not quietly unguarded.</summary>
    private void Fail(Exception exception, string resource)
    {
        AppHostLog.RestarterFailed(logger, exception, resource);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    /// <summary>The resource's last console lines (what it said before it went), without Aspire's timestamps.</summary>
    private async Task<string> ReadLastLinesAsync(string id, CancellationToken stopping)
    {
        var lines = new Queue<string>(LastLines);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        patience.CancelAfter(LogReadPatience);
        try
        {
            await foreach (var batch in resourceLogs.GetAllAsync(id).WithCancellation(patience.Token))
            {
                // An entry of Aspire's own can be an exception with its stack: its message says why, its frames do not.
                foreach (var line in batch.SelectMany(entry => ResourceLogText.WithoutTimestamp(entry.Content).Split('\n')).Where(IsWhatItSaid))
                {
                    if (lines.Count == LastLines)
                    {
                        lines.Dequeue();
                    }

                    lines.Enqueue(line.TrimEnd());
                }
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // What arrived in time is enough to say why.
        }

        return lines.Count == 0 ? " (none)" : string.Concat(lines.Select(line => $"{Environment.NewLine}    {line}"));
    }

    private Task PublishAsync(IResource resource, string id, int restarts, string status) =>
        notifications.PublishUpdateAsync(resource, id, snapshot => snapshot with
        {
            Properties = WithProperty(WithProperty(snapshot.Properties, RestartsProperty, restarts), StatusProperty, status),
        });

    private static ImmutableArray<ResourcePropertySnapshot> WithProperty(ImmutableArray<ResourcePropertySnapshot> properties, string name, object value) =>
        [.. properties.Where(property => property.Name != name), new ResourcePropertySnapshot(name, value)];

    /// <summary>Not a stack frame, not this restarter's note, not Aspire's note of a command it ran.</summary>
    private static bool IsWhatItSaid(string line)
    {
        var trimmed = line.TrimStart();
        return !trimmed.StartsWith("at ", StringComparison.Ordinal)
            && !trimmed.StartsWith("--- End of ", StringComparison.Ordinal)
            && !trimmed.StartsWith("[restart] ", StringComparison.Ordinal)
            && !trimmed.Contains("executing command '", StringComparison.OrdinalIgnoreCase)
            && !trimmed.Contains("executed command '", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsTerminal(string state) => KnownResourceStates.TerminalStates.Contains(state);

    /// <summary>What is known of one replica; guarded by locking it.</summary>
    private sealed class Replica(RestartBackoff backoff)
    {
        public RestartBackoff Backoff { get; } = backoff;

        public string? State { get; set; }

        /// <summary>Aspire's Stop or Restart command is under way: the exit that follows was asked for.</summary>
        public bool StopAsked { get; set; }

        /// <summary>This restarter's Start command is under way (not a start by hand).</summary>
        public bool Restarting { get; set; }
    }
}
