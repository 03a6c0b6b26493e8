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

    /// <summary>Takes the oldest batch, joined with the batches after it while they fit in <paramref name="maxTasks"/>.</summary>
    public bool TryRead(int maxTasks, [NotNullWhen(true)] out TaskBatch? batch)
    {
        TaskCompletionSource? spaceFreed;
        lock (_lock)
        {
            if (!_batches.Reader.TryRead(out var first))
            {
                batch = null;
                return false;
            }

            batch = first;
            if (first.Count < maxTasks && _batches.Reader.TryPeek(out var next) && first.Count + next.Count <= maxTasks)
            {
                var joined = new List<NewTask>(maxTasks);
                var origins = new List<ActivityContext>(first.Origins ?? []);
                joined.AddRange(first.Tasks.Span);
                while (_batches.Reader.TryPeek(out next) && joined.Count + next.Count <= maxTasks)
                {
                    _batches.Reader.TryRead(out _);
                    joined.AddRange(next.Tasks.Span);
                    if (next.Origins is { } more && origins.Count < ProducerTracing.MaxLinks)
                    {
                        origins.AddRange(more);
                    }
                }

                batch = new TaskBatch(joined.ToArray(), origins);
            }

            _queued -= batch.Count;
            spaceFreed = _spaceFreed;
            _spaceFreed = null;
        }

        spaceFreed?.TrySetResult();
        return true;
    }

    /// <summary>Waits until a batch can be read; false once the queue is complete and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _batches.Reader.WaitToReadAsync(cancellationToken);
}
