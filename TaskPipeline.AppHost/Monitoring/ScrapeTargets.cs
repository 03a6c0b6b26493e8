using System.Globalization;
using System.Text.Json;
using TaskPipeline.AppHost.Services;

namespace TaskPipeline.AppHost.Monitoring;

/// <summary>
/// Prometheus' file-based service discovery, fed from Aspire's resource notifications: one target per running replica
/// at its own management port (read from the environment DCP gave it), labelled <c>job</c> and <c>service</c> (the
/// resource), <c>replica</c> (its index among the resource's replicas) and <c>instance</c> (<c>consumer-0</c>), so series
/// keep their names when a replica restarts on another port.
/// </summary>
internal sealed class ScrapeTargets(string file, IReadOnlyList<ProjectResource> services, string host)
{
    public async Task KeepWrittenAsync(ResourceNotificationService notifications, CancellationToken stopping)
    {
        var running = new SortedDictionary<string, (string Service, string Port)>(StringComparer.Ordinal);
        var replicas = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        Write(running, replicas);
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource is not ProjectResource service || !services.Contains(service))
                {
                    continue;
                }

                if (!replicas.TryGetValue(service.Name, out var ids))
                {
                    replicas[service.Name] = ids = new SortedSet<string>(StringComparer.Ordinal);
                }

                ids.Add(update.ResourceId);
                var changed = update.Snapshot.State?.Text == KnownResourceStates.Running && ReplicaEndpoint.TryGetUrl(update.Snapshot, "management", out var uri)
                    ? Set(running, update.ResourceId, (service.Name, uri.Port.ToString(CultureInfo.InvariantCulture)))
                    : running.Remove(update.ResourceId);
                if (changed)
                {
                    Write(running, replicas);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static bool Set(SortedDictionary<string, (string Service, string Port)> running, string id, (string Service, string Port) target)
    {
        if (running.TryGetValue(id, out var current) && current == target)
        {
            return false;
        }

        running[id] = target;
        return true;
    }

    private void Write(SortedDictionary<string, (string Service, string Port)> running, Dictionary<string, SortedSet<string>> replicas)
    {
        var groups = running.Select(pair =>
        {
            var replica = replicas[pair.Value.Service].ToList().IndexOf(pair.Key).ToString(CultureInfo.InvariantCulture);
            return new Dictionary<string, object>
            {
                ["targets"] = new[] { $"{host}:{pair.Value.Port}" },
                ["labels"] = new Dictionary<string, string>
                {
                    ["job"] = pair.Value.Service,
                    ["service"] = pair.Value.Service,
                    ["replica"] = replica,
                    ["instance"] = $"{pair.Value.Service}-{replica}",
                },
            };
        });

        // Prometheus may read the file at any moment: write a new one and move it into place.
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(groups));
        File.Move(temporary, file, overwrite: true);
    }
}
