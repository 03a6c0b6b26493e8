using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// The batches waiting for a Submit call, shared by generation and the outbox sweep. Bounded by tasks, not by
/// batches: at low rates batches hold one or two tasks, and a queue of 64 of them would stall generation within a
/// second of a Consumer outage, long before the backlog limit. Writers wait while it is full. Readers take several
/// small batches at once (up to one Submit call's worth), so a queue that filled up during an outage drains in few calls.
/// The queue completes when every registered writer has completed.
/// </summary>
internal sealed class DispatchQueue
{
    /// <summary>The most tasks queued (about 1.3 MB of them).</summary>
    public const int Capacity = 65_536;

    private readonly Channel<TaskBatch> _batches = Channel.CreateUnbounded<TaskBatch>(new UnboundedChannelOptions
    {
        SingleReader = false,
        SingleWriter = false,
    });

    private readonly Lock _lock = new();
    private int _queued;
    private int _writers;

    // A batch read while joining that did not fit: the next read returns it first.
    private TaskBatch? _carried;
    private TaskCompletionSource? _spaceFreed;

    /// <summary>Tasks queued now.</summary>
    public int Count => Volatile.Read(ref _queued);

    /// <summary>Called by each writer before the host starts, so the queue completes only when all are done.</summary>
    public void RegisterWriter() => Interlocked.Increment(ref _writers);

    public void CompleteWriter()
    {
        if (Interlocked.Decrement(ref _writers) == 0)
        {
            _batches.Writer.TryComplete();
        }
    }

    public async ValueTask WriteAsync(TaskBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        while (true)
        {
            Task spaceFreed;
            lock (_lock)
            {
                // An empty queue takes any batch, so no batch can wait forever.
                if (_queued == 0 || _queued + batch.Count <= Capacity)
                {
                    if (!_batches.Writer.TryWrite(batch))
                    {
                        throw new ChannelClosedException("The dispatch queue is complete.");
                    }

                    _queued += batch.Count;
                    return;
                }

                _spaceFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                spaceFreed = _spaceFreed.Task;
            }

            await spaceFreed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Takes the oldest batch, joined with the batches after it while they fit in <paramref name="maxTasks"/>, waiting
    /// for one when the queue is empty; null once the queue is complete and empty. A batch written wakes one waiting
    /// reader (the channel's ReadAsync), not every dispatch loop.
    /// </summary>
    public async ValueTask<TaskBatch?> ReadAsync(int maxTasks, CancellationToken cancellationToken)
    {
        TaskBatch? first;
        lock (_lock)
        {
            first = _carried;
            _carried = null;
        }

        if (first is null && !_batches.Reader.TryRead(out first))
        {
            try
            {
                first = await _batches.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        TaskBatch batch;
        TaskCompletionSource? spaceFreed;
        lock (_lock)
        {
            batch = JoinFollowing(first, maxTasks);
            _queued -= batch.Count;
            spaceFreed = _spaceFreed;
            _spaceFreed = null;
        }

        spaceFreed?.TrySetResult();
        return batch;
    }

    /// <summary>
    /// Under the lock: <paramref name="first"/> and the batches after it while they fit. Another loop may take a batch
    /// between a look and a read, so a batch read that does not fit is carried to this loop's next read.
    /// </summary>
    private TaskBatch JoinFollowing(TaskBatch first, int maxTasks)
    {
        if (first.Count >= maxTasks || !_batches.Reader.TryPeek(out var next) || first.Count + next.Count > maxTasks)
        {
            return first;
        }

        var joined = new List<NewTask>(maxTasks);
        var origins = new List<ActivityContext>(first.Origins ?? []);
        joined.AddRange(first.Tasks.Span);
        while (joined.Count < maxTasks && _batches.Reader.TryRead(out next))
        {
            if (joined.Count + next.Count > maxTasks)
            {
                _carried = next;
                break;
            }

            joined.AddRange(next.Tasks.Span);
            if (next.Origins is { } more && origins.Count < ProducerTracing.MaxLinks)
            {
                origins.AddRange(more);
            }
        }

        return new TaskBatch(joined.ToArray(), origins);
    }
}
