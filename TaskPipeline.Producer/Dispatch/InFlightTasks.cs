using System.Collections.Concurrent;
using TaskPipeline.Producer.Generation;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>Ids queued or being sent by this process, so the outbox sweep does not send them a second time.</summary>
internal sealed class InFlightTasks
{
    private readonly ConcurrentDictionary<Guid, byte> _ids = new();

    public int Count => _ids.Count;

    public bool Contains(Guid id) => _ids.ContainsKey(id);

    /// <summary>Marks one task in flight; false when it already is.</summary>
    public bool TryAdd(Guid id) => _ids.TryAdd(id, 0);

    public void Add(ReadOnlySpan<GeneratedTask> tasks)
    {
        foreach (var task in tasks)
        {
            _ids.TryAdd(task.Id, 0);
        }
    }

    public void Remove(ReadOnlySpan<GeneratedTask> tasks)
    {
        foreach (var task in tasks)
        {
            _ids.TryRemove(task.Id, out _);
        }
    }
}
