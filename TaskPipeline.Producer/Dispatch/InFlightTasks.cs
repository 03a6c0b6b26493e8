using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// Ids queued or being sent by this process, so the outbox sweep does not send them a second time. Batches come and go
/// whole, so one lock per batch (a set under a lock) costs less than a concurrent dictionary's lock per id.
/// </summary>
internal sealed class InFlightTasks
{
    private readonly Lock _lock = new();
    private readonly HashSet<Guid> _ids = [];
    private long _settled;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>
    /// How many times tasks have left flight (taken by a Consumer, given back, rejected): while it moves, a Consumer may
    /// hand work back to the outbox, so the sweep keeps its busy pace.
    /// </summary>
    public long Settled => Interlocked.Read(ref _settled);

    /// <summary>Marks one task in flight; false when it already is.</summary>
    public bool TryAdd(Guid id)
    {
        lock (_lock)
        {
            return _ids.Add(id);
        }
    }

    public void Add(ReadOnlySpan<NewTask> tasks)
    {
        lock (_lock)
        {
            foreach (var task in tasks)
            {
                _ids.Add(task.Id);
            }
        }
    }

    public void Remove(ReadOnlySpan<NewTask> tasks)
    {
        Interlocked.Increment(ref _settled);
        lock (_lock)
        {
            foreach (var task in tasks)
            {
                _ids.Remove(task.Id);
            }

            // A set keeps the capacity of its largest size; after an outage's backlog it would hold it for good.
            if (_ids.Count == 0)
            {
                _ids.TrimExcess();
            }
        }
    }
}
