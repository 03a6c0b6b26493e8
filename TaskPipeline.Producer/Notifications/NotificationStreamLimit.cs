using Microsoft.Extensions.Options;

namespace TaskPipeline.Producer.Notifications;

/// <summary>
/// Counts the open notification streams of each principal against <see cref="NotificationOptions.MaxStreamsPerPrincipal"/>.
/// A slot is held by a <see cref="Lease"/> from before the stream's headers are sent until its request ends.
/// </summary>
internal sealed class NotificationStreamLimit(IOptions<NotificationOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly int _max = options.Value.MaxStreamsPerPrincipal;

    public int Max => _max;

    /// <summary>A slot for <paramref name="client"/>, or null when it already holds <see cref="Max"/> streams.</summary>
    public Lease? TryAcquire(string client)
    {
        lock (_lock)
        {
            var open = _open.GetValueOrDefault(client);
            if (open >= _max)
            {
                return null;
            }

            _open[client] = open + 1;
            return new Lease(this, client);
        }
    }

    public int OpenFor(string client)
    {
        lock (_lock)
        {
            return _open.GetValueOrDefault(client);
        }
    }

    private void Release(string client)
    {
        lock (_lock)
        {
            // Entries go with their last stream, so the map is only as large as the clients streaming now.
            if (_open.TryGetValue(client, out var open) && open > 1)
            {
                _open[client] = open - 1;
            }
            else
            {
                _open.Remove(client);
            }
        }
    }

    /// <summary>One open stream's slot; disposing it (once, however often it is called) frees the slot.</summary>
    internal sealed class Lease(NotificationStreamLimit limit, string client) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limit.Release(client);
            }
        }
    }
}
