using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.Producer.Generation;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// Hands a task stored by the API to this Producer's dispatch, so it goes out at once like a generated one. The row
/// is already committed as received, so this is only about latency: when the queue is full (no Consumer is taking
/// work) or closed (the Producer is stopping), the task stays in the outbox and the sweep sends it.
/// </summary>
internal sealed class TaskHandoff(DispatchQueue queue, InFlightTasks inFlight, TimeProvider time, ILogger<TaskHandoff> logger)
{
    /// <summary>How long a request waits for room in the dispatch queue.</summary>
    private static readonly TimeSpan QueueWait = TimeSpan.FromSeconds(1);

    public async Task SendAsync(GeneratedTask task)
    {
        // Already queued or being sent here (the sweep took it first).
        if (!inFlight.TryAdd(task.Id))
        {
            return;
        }

        // Not the request's token: a client that hangs up after the task was stored still gets it sent.
        using var timeout = new CancellationTokenSource(QueueWait, time);
        try
        {
            await queue.WriteAsync(new TaskBatch(new[] { task }), timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            inFlight.Remove([task]);
            TaskApiLog.LeftToOutbox(logger, task.Id, exception is ChannelClosedException ? "the Producer is stopping" : "the queue is full");
        }
    }
}
