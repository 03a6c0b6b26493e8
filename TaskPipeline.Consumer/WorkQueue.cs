using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Consumer;

/// <summary>
/// The claimed work waiting for a worker, and the registry of every claim this instance holds.
/// Capacity is counted in slots: a Submit reserves one per admitted task before it claims, a worker frees it when it
/// is done with the task. So queued + running never exceeds QueueCapacity, and writes to the channel never wait.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Channel<ClaimedTask> _channel;
    private readonly ConcurrentDictionary<Guid, InFlightTask> _inFlight = new();
    private readonly TaskCompletionSource _submitsFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private int _occupied;
    private int _activeSubmits;
    private int _accepting = 1;

    public WorkQueue(IOptions<ConsumerOptions> options, TimeProvider time)
    {
        _time = time;
        _capacity = options.Value.QueueCapacity;
        _channel = Channel.CreateBounded<ClaimedTask>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = false,
        });
    }

    public ChannelReader<ClaimedTask> Reader => _channel.Reader;

    /// <summary>Queued plus running plus reserved by a Submit in progress.</summary>
    public int Occupied => Volatile.Read(ref _occupied);

    public int Capacity => _capacity;

    public int InFlightCount => _inFlight.Count;

    public bool IsAccepting => Volatile.Read(ref _accepting) == 1;

    /// <summary>Enters a Submit; false once the service is stopping. Every true must be paired with <see cref="EndSubmit"/>.</summary>
    public bool TryBeginSubmit()
    {
        // Increment first, then look at the flag; StopAccepting does the opposite. Both are full fences, so either
        // this call sees the stop or the stop sees this call and waits for it.
        Interlocked.Increment(ref _activeSubmits);
        if (Volatile.Read(ref _accepting) == 1)
        {
            return true;
        }

        EndSubmit();
        return false;
    }

    public void EndSubmit()
    {
        if (Interlocked.Decrement(ref _activeSubmits) == 0 && Volatile.Read(ref _accepting) == 0)
        {
            _submitsFinished.TrySetResult();
        }
    }

    /// <summary>New Submits are refused from now on; completes <see cref="SubmitsFinished"/> once the running ones end.</summary>
    public void StopAccepting()
    {
        Interlocked.Exchange(ref _accepting, 0);
        if (Volatile.Read(ref _activeSubmits) == 0)
        {
            _submitsFinished.TrySetResult();
        }
    }

    public Task SubmitsFinished => _submitsFinished.Task;

    public bool TryReserve(int slots)
    {
        if (Interlocked.Add(ref _occupied, slots) <= _capacity)
        {
            return true;
        }

        Interlocked.Add(ref _occupied, -slots);
        return false;
    }

    public void Free(int slots)
    {
        if (slots > 0)
        {
            Interlocked.Add(ref _occupied, -slots);
        }
    }

    /// <summary>
    /// Registers freshly claimed tasks and queues them, using slots reserved by the caller. Returns how many were
    /// queued; the rest (only after the drain gave up on the queue) stay registered, so the stop releases them.
    /// </summary>
    public int Enqueue(IReadOnlyList<ClaimedTask> tasks)
    {
        var claimedAt = _time.GetTimestamp();
        // Called inside the Submit: its span becomes the parent of each task's work, which runs after the reply.
        var trace = Activity.Current?.Context ?? default;
        var queued = 0;
        foreach (var task in tasks)
        {
            var entry = new InFlightTask(task.Claim, claimedAt, trace);
            // Static delegates with the entry as argument: no closure allocated per task.
            _inFlight.AddOrUpdate(
                task.Id,
                static (_, added) => added,
                static (_, previous, replacement) =>
                {
                    // The same task claimed again by this instance: the older claim was lost (its lease expired).
                    previous.Cancel();
                    return replacement;
                },
                entry);

            if (_channel.Writer.TryWrite(task))
            {
                queued++;
            }
        }

        return queued;
    }

    /// <summary>No more work will be queued: workers finish what is there, then stop.</summary>
    public void CompleteAdding() => _channel.Writer.TryComplete();

    public bool TryGetInFlight(Guid id, int claim, out InFlightTask entry) =>
        _inFlight.TryGetValue(id, out entry!) && entry.Claim == claim;

    /// <summary>The outcome of this claim is in the database (or was given up): stop renewing it.</summary>
    public void Forget(Guid id, int claim)
    {
        // A later claim of the same task by this instance has its own number: the outcome of an earlier one never ends it.
        if (_inFlight.TryGetValue(id, out var entry) && entry.Claim == claim)
        {
            _inFlight.TryRemove(KeyValuePair.Create(id, entry));
        }
    }

    /// <summary>The database no longer has this claim as ours: stop the work, report nothing.</summary>
    public void Lose(Guid id, InFlightTask entry)
    {
        entry.Cancel();
        _inFlight.TryRemove(KeyValuePair.Create(id, entry));
    }

    /// <summary>Stops every running or queued item without reporting (the drain ran out of time); claims stay registered.</summary>
    public void CancelAll()
    {
        foreach (var entry in _inFlight.Values)
        {
            entry.Cancel();
        }
    }

    public KeyValuePair<Guid, InFlightTask>[] SnapshotInFlight() => _inFlight.ToArray();
}
