using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// The one path a new task takes, generated or created through the API: stored as received (the outbox), then queued
/// for dispatch. The row is committed before it is queued, so a queue that is full or closed only delays a task: the
/// outbox sweep (of any Producer) sends what was never queued.
/// </summary>
internal sealed class TaskIntake(TaskStorage storage, DispatchQueue queue, InFlightTasks inFlight, TimeProvider time, ILogger<TaskIntake> logger)
{
    /// <summary>How long a task created through the API waits for room in the dispatch queue.</summary>
    private static readonly TimeSpan HandoffWait = TimeSpan.FromSeconds(1);

    /// <summary>Stores the batch as received, all or nothing (see <see cref="TaskStorage.StoreAsync"/>).</summary>
    public Task StoreAsync(ReadOnlyMemory<NewTask> tasks, CancellationToken cancellationToken) => storage.StoreAsync(tasks, cancellationToken);

    /// <summary>
    /// Stores one task, received or (delayed) scheduled, and returns it as stored. A received one still needs
    /// <see cref="HandOffAsync"/>; a scheduled one is the scheduler's once it is due.
    /// </summary>
    public Task<TaskRecord> InsertAsync(NewTask task, DueTime due, CancellationToken cancellationToken) => storage.InsertAsync(task, due, cancellationToken);

    /// <summary>
    /// Queues a stored batch; <paramref name="stored"/> is the span that stored it, which the dispatch span links to.
    /// When the queue does not take it, the batch is no longer in flight here and the exception propagates.
    /// </summary>
    public async ValueTask SendAsync(NewTask[] tasks, ActivityContext? stored, CancellationToken cancellationToken)
    {
        inFlight.Add(tasks);
        try
        {
            await queue.WriteAsync(new TaskBatch(tasks, stored is { } origin ? [origin] : null), cancellationToken);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            inFlight.Remove(tasks);
            throw;
        }
    }

    /// <summary>
    /// Queues one stored task at once if the queue has room within a second; otherwise leaves it to the outbox sweep.
    /// Not the caller's token: a client that hangs up after the task was stored still gets it sent.
    /// </summary>
    public async Task HandOffAsync(NewTask task)
    {
        using var timeout = new CancellationTokenSource(HandoffWait, time);
        try
        {
            await SendAsync([task], null, timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            ProducerLog.LeftToOutbox(logger, task.Id, exception is ChannelClosedException ? "the Producer is stopping" : "the queue is full");
        }
    }
}
