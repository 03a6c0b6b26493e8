using System.Diagnostics;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// The batches waiting for a Submit call, shared by generation, the scheduler, the API and the outbox sweep, in one
/// FIFO line per priority. A read takes the highest priority waiting, except that the oldest waiting batch, whatever
/// its priority, gets at least <see cref="OldestShareDivisor"/>⁻¹ of the tasks read while it waits behind higher ones:
/// urgent work goes first, and under a backlog the lowest priority still moves at a tenth of the dispatch rate (no
/// starvation; README, "Priorities"). What the Consumer deferred comes back to its line, in its place by age
/// (<see cref="Requeue"/>), so waiting happens here, in priority order, and not in a dispatch loop's hands.
/// Bounded by tasks, not by batches: at low rates batches hold one or two tasks, and a queue of 64 of them would stall
/// generation within a second of a Consumer outage, long before the backlog limit. Writers wait while it is full.
/// Readers take several small batches of one priority at once (up to one Submit call's worth), so a queue that filled
/// up during an outage drains in few calls. The queue completes when every registered writer has completed.
/// </summary>
internal sealed class DispatchQueue : IDisposable
{
    /// <summary>The most tasks queued (about 1.5 MB of them).</summary>
    public const int Capacity = 65_536;

    /// <summary>The oldest waiting batch gets at least one task in this many while higher priorities are read before it.</summary>
    public const int OldestShareDivisor = 10;

    private readonly Lock _lock = new();
    private readonly LinkedList<TaskBatch>[] _lines = [.. Enumerable.Range(0, TaskLimits.MaxPriority + 1).Select(_ => new LinkedList<TaskBatch>())];

    // One permit per batch written or requeued: a batch wakes one waiting reader, not every dispatch loop. A read that
    // joins several batches takes their permits too, so readers do not wake for batches already taken.
    private readonly SemaphoreSlim _written = new(0);
    private int _queued;
    private int _batches;
    private int _writers;
    private bool _completed;
    private long _sequence;

    // Tasks taken by priority while an older, lower batch waited, and tasks taken as that oldest batch (less what was
    // requeued: taken means dispatched).
    private long _readByPriority;
    private long _readAsOldest;
    private TaskCompletionSource? _spaceFreed;

    /// <summary>Tasks queued now.</summary>
    public int Count => Volatile.Read(ref _queued);

    public void Dispose() => _written.Dispose();

    /// <summary>Called by each writer before the host starts, so the queue completes only when all are done.</summary>
    public void RegisterWriter() => Interlocked.Increment(ref _writers);

    public void CompleteWriter()
    {
        if (Interlocked.Decrement(ref _writers) == 0)
        {
            lock (_lock)
            {
                _completed = true;
            }

            // Every waiting reader wakes, finds the queue complete (or a last batch) and returns.
            _written.Release(ProducerOptions.MaxDispatchConcurrency);
        }
    }

    /// <summary>Queues the batch (split by priority when it mixes them), waiting while the queue is full.</summary>
    public async ValueTask WriteAsync(TaskBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        while (true)
        {
            Task spaceFreed;
            lock (_lock)
            {
                if (_completed)
                {
                    throw new System.Threading.Channels.ChannelClosedException("The dispatch queue is complete.");
                }

                // An empty queue takes any batch, so no batch can wait forever.
                if (_queued == 0 || _queued + batch.Count <= Capacity)
                {
                    var added = 0;
                    foreach (var line in batch.ByPriority())
                    {
                        line.Sequence = ++_sequence;
                        _lines[line.Priority].AddLast(line);
                        added++;
                    }

                    _queued += batch.Count;
                    _batches += added;
                    _written.Release(added);
                    return;
                }

                _spaceFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                spaceFreed = _spaceFreed.Task;
            }

            await spaceFreed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Puts back what the Consumer did not take of a batch read from this queue (deferred by its rate limit, or refused
    /// while full): the tasks after the first <paramref name="taken"/>, at the front of the batch's line, as old as
    /// the first of them. Never waits, so the queue may hold more than <see cref="Capacity"/> for a moment: at most
    /// what the dispatch loops hold (Producer:DispatchConcurrency × Producer:BatchSize).
    /// </summary>
    public void Requeue(TaskBatch batch, int taken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(taken);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(taken, batch.Count);
        var tail = batch.After(taken);
        lock (_lock)
        {
            // In its place by age (usually the front: it was read from there), so that every line stays oldest first
            // when several dispatch loops give back what they read.
            var line = _lines[tail.Priority];
            var node = line.First;
            while (node is not null && node.Value.Sequence < tail.Sequence)
            {
                node = node.Next;
            }

            if (node is null)
            {
                line.AddLast(tail);
            }
            else
            {
                line.AddBefore(node, tail);
            }

            _queued += tail.Count;
            _batches++;

            // What was not taken does not count towards the share: the share is of tasks dispatched.
            switch (tail.ReadAsOldest)
            {
                case true:
                    _readAsOldest = Math.Max(0, _readAsOldest - tail.Count);
                    break;
                case false:
                    _readByPriority = Math.Max(0, _readByPriority - tail.Count);
                    break;
            }
        }

        _written.Release();
    }

    /// <summary>
    /// Takes the batch <see cref="Pick"/> chooses, joined with the batches after it in its line while they fit in
    /// <paramref name="maxTasks"/>, waiting for one when the queue is empty; null once the queue is complete and empty.
    /// </summary>
    public async ValueTask<TaskBatch?> ReadAsync(int maxTasks, CancellationToken cancellationToken)
    {
        var paid = false;
        while (true)
        {
            TaskBatch? batch;
            TaskCompletionSource? spaceFreed = null;
            lock (_lock)
            {
                var before = _batches;
                batch = before > 0 ? Take(maxTasks) : null;
                if (batch is not null)
                {
                    // The permits of the batches taken (but the one this reader's wait took already), under the lock
                    // so that no permit of a batch written after them is taken instead.
                    for (var i = paid ? 1 : 0; i < before - _batches; i++)
                    {
                        _written.Wait(0, CancellationToken.None);
                    }

                    spaceFreed = _spaceFreed;
                    _spaceFreed = null;
                }
                else if (_completed)
                {
                    return null;
                }
            }

            if (batch is not null)
            {
                spaceFreed?.TrySetResult();
                return batch;
            }

            await _written.WaitAsync(cancellationToken);
            paid = true;
        }
    }

    /// <summary>Under the lock, with at least one batch queued.</summary>
    private TaskBatch Take(int maxTasks)
    {
        var (priority, asOldest) = Pick();
        var line = _lines[priority];
        var first = line.First!.Value;
        line.RemoveFirst();
        _batches--;
        var batch = first.Count >= maxTasks || line.First is not { } next || first.Count + next.Value.Count > maxTasks
            ? first
            : JoinFollowing(first, line, maxTasks);
        _queued -= batch.Count;
        batch.ReadAsOldest = asOldest;
        switch (asOldest)
        {
            case true:
                _readAsOldest += batch.Count;
                break;
            case false:
                _readByPriority += batch.Count;
                break;
        }

        if (_queued == 0)
        {
            // Nothing waits: the share starts over with the next backlog.
            _readByPriority = 0;
            _readAsOldest = 0;
        }

        return batch;
    }

    /// <summary>
    /// The line to read: the highest priority waiting, unless the oldest batch waits in a lower line and has had less
    /// than its share of the tasks read meanwhile (see <see cref="OldestShareDivisor"/>). The second value says which
    /// of the two it is when they differ (null when the highest line also holds the oldest batch).
    /// </summary>
    private (int Priority, bool? AsOldest) Pick()
    {
        int highest = -1, oldest = -1;
        var oldestSequence = long.MaxValue;
        for (var priority = _lines.Length - 1; priority >= 0; priority--)
        {
            if (_lines[priority].First is not { } head)
            {
                continue;
            }

            if (highest < 0)
            {
                highest = priority;
            }

            if (head.Value.Sequence < oldestSequence)
            {
                oldestSequence = head.Value.Sequence;
                oldest = priority;
            }
        }

        if (oldest == highest)
        {
            return (highest, null);
        }

        // The oldest batch is read while the tasks taken as oldest are under a tenth of all taken (one more task, and
        // they would be at most a tenth): so, under a backlog, one task in ten is the oldest, whatever its priority.
        return (_readAsOldest + 1) * (OldestShareDivisor - 1) <= _readByPriority ? (oldest, true) : (highest, false);
    }

    /// <summary>Under the lock: <paramref name="first"/> and the batches after it in its line while they fit.</summary>
    private TaskBatch JoinFollowing(TaskBatch first, LinkedList<TaskBatch> line, int maxTasks)
    {
        var joined = new List<NewTask>(maxTasks);
        var origins = new List<ActivityContext>(first.Origins ?? []);
        var segments = new List<(int Start, long Sequence)>(first.Parts);
        joined.AddRange(first.Tasks.Span);
        while (line.First is { } next && joined.Count + next.Value.Count <= maxTasks)
        {
            line.RemoveFirst();
            _batches--;
            var offset = joined.Count;
            segments.AddRange(next.Value.Parts.Select(part => (part.Start + offset, part.Sequence)));
            joined.AddRange(next.Value.Tasks.Span);
            if (next.Value.Origins is { } more && origins.Count < ProducerTracing.MaxLinks)
            {
                origins.AddRange(more);
            }
        }

        return new TaskBatch(joined.ToArray(), origins) { Sequence = first.Sequence, Segments = [.. segments] };
    }
}
