using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// Follows every resource of an app started through Aspire.Hosting.Testing: its id and name as they appear, and its
/// console lines (ResourceLoggerService), for the benchmark and the whole-app tests alike. Disposing it stops the app.
/// </summary>
public sealed class ResourceLogs : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly DistributedApplication _app;
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _lines = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _watchers = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _keep;
    private readonly TextWriter? _echo;

    /// <param name="app">A started app.</param>
    /// <param name="keep">Lines kept per resource, the latest; all of them when 0.</param>
    /// <param name="echo">Where every line is also written as it comes ("id | line"), if anywhere.</param>
    public ResourceLogs(DistributedApplication app, int keep = 0, TextWriter? echo = null)
    {
        _app = app;
        _keep = keep;
        _echo = echo;
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        _watchers.Add(Task.Run(async () =>
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(_stopping.Token))
            {
                Saw(update.ResourceId, update.Resource.Name);
                var lines = new ConcurrentQueue<string>();
                if (_lines.TryAdd(update.ResourceId, lines))
                {
                    var id = update.ResourceId;
                    _watchers.Add(Task.Run(() => FollowAsync(loggers, id, lines)));
                }
            }
        }));
    }

    /// <summary>Resource ids seen so far, with their resource's name ("consumer" for "consumer-abcd1234").</summary>
    public IReadOnlyDictionary<string, string> Names => _names;

    /// <summary>Records a resource id seen elsewhere (in a wait on its state) before the watcher got to it.</summary>
    public void Saw(string id, string name) => _names.TryAdd(id, name);

    public string[] Lines(string id) => _lines.TryGetValue(id, out var lines) ? [.. lines] : [];

    /// <summary>Each resource's last <paramref name="count"/> lines, "id | line", resources in id order.</summary>
    public List<string> Tails(int count) =>
    [
        .. _lines.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .SelectMany(pair => pair.Value.TakeLast(count).Select(line => $"{pair.Key} | {line}")),
    ];

    /// <summary>Stops the app within a minute, disposes it, then ends the watchers.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // DisposeAsync below still tears everything down.
            }
        }

        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        // The watchers end with the canceled token or the disposed app; how they end says nothing about the run.
        await Task.WhenAll(_watchers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stopping.Dispose();
    }

    private async Task FollowAsync(ResourceLoggerService loggers, string id, ConcurrentQueue<string> lines)
    {
        await foreach (var batch in loggers.WatchAsync(id).WithCancellation(_stopping.Token))
        {
            foreach (var line in batch)
            {
                lines.Enqueue(line.Content);
                while (_keep > 0 && lines.Count > _keep && lines.TryDequeue(out _))
                {
                }

                if (_echo is not null)
                {
                    await _echo.WriteLineAsync($"{id} | {line.Content}");
                }
            }
        }
    }
}
