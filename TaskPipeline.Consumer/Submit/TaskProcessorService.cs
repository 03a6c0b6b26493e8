using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Contracts;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Data;

namespace TaskPipeline.Consumer.Submit;

/// <summary>
/// TaskProcessor.Submit: validate → rate limit → reserve queue slots → claim in the database → queue the work → reply.
/// The reply means the claim is committed; the work finishes later. Nothing is written for a rejected call.
/// Bound by <see cref="SubmitMethodProvider"/> (not the generated base class), which parses the request.
/// </summary>
internal sealed class TaskProcessorService(
    TaskClaims claims,
    ConsumerInstance instance,
    WorkQueue queue,
    SubmitRateLimiter rateLimiter,
    ReceivedValueTotals totals,
    ConsumerMetrics metrics,
    IOptions<ConsumerOptions> options,
    ILogger<TaskProcessorService> logger)
{
    // Slots free up as fast as work finishes; a short pause is enough before trying a full queue again.
    private static readonly TimeSpan QueueFullPushback = TimeSpan.FromMilliseconds(200);

    public async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        var settings = options.Value;
        var validation = SubmitRequestValidator.Validate(request, settings.MaxBatchSize);
        if (!validation.IsValid)
        {
            throw SubmitRequestValidator.ToRpcException(validation.Violations);
        }

        var ids = validation.Ids;
        if (!queue.TryBeginSubmit())
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the consumer is shutting down; submit to another instance"));
        }

        try
        {
            var (admitted, retryAfter) = rateLimiter.Admit(ids.Length);
            var deferred = ids.Length - admitted;
            metrics.RateLimited(deferred);
            if (admitted == 0)
            {
                ConsumerLog.SubmitRejected(logger, ids.Length, "rate limit");
                throw Exhausted($"rate limit of {settings.RateLimit} tasks/s reached; retry after {RoundUpMs(retryAfter)} ms", retryAfter);
            }

            if (!queue.TryReserve(admitted))
            {
                ConsumerLog.SubmitRejected(logger, ids.Length, "queue full");
                throw Exhausted(
                    $"work queue full ({queue.Occupied} of {queue.Capacity} slots in use); retry after {RoundUpMs(QueueFullPushback)} ms",
                    QueueFullPushback);
            }

            var reserved = admitted;
            try
            {
                var batch = admitted == ids.Length ? ids : ids[..admitted];
                var (known, claimed) = await ClaimAsync(batch, settings.LeaseDuration, context.CancellationToken);
                if (known < batch.Length)
                {
                    throw new RpcException(new Status(
                        StatusCode.NotFound,
                        $"{batch.Length - known} of {batch.Length} task id(s) are not in the database; nothing was claimed"));
                }

                claimed = InRequestOrder(claimed, batch.Length, validation.Positions);
                var queued = queue.Enqueue(claimed);
                reserved -= queued;
                Record(claimed);

                var duplicates = batch.Length - claimed.Count;
                metrics.Duplicates(duplicates);
                ConsumerLog.Submitted(logger, ids.Length, claimed.Count, duplicates, deferred);
                return new SubmitReply
                {
                    Accepted = claimed.Count,
                    Duplicates = duplicates,
                    Deferred = deferred,
                    RetryAfterMs = deferred > 0 ? RoundUpMs(retryAfter) : 0,
                };
            }
            finally
            {
                queue.Free(reserved);
            }
        }
        finally
        {
            queue.EndSubmit();
        }
    }

    private async Task<(long Known, List<ClaimedTask> Claimed)> ClaimAsync(Guid[] ids, TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            return await claims.ClaimAsync(ids, instance.Id, lease, cancellationToken);
        }
        catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            // The Producer keeps the tasks as received and retries; UNAVAILABLE is the status it retries on.
            ConsumerLog.SubmitDatabaseUnavailable(logger, ids.Length, exception.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, "the task database is unavailable; retry later"));
        }
    }

    /// <summary>
    /// The database returns claimed rows in no particular order; work starts in the order the Producer sent. Each row
    /// goes to its id's place in the request (one lookup per row, not a sort's many).
    /// </summary>
    private static List<ClaimedTask> InRequestOrder(List<ClaimedTask> claimed, int requested, IReadOnlyDictionary<Guid, int> positions)
    {
        if (claimed.Count < 2)
        {
            return claimed;
        }

        var slots = new ClaimedTask?[requested];
        foreach (var task in claimed)
        {
            slots[positions[task.Id]] = task;
        }

        var ordered = new List<ClaimedTask>(claimed.Count);
        foreach (var slot in slots)
        {
            if (slot is { } task)
            {
                ordered.Add(task);
            }
        }

        return ordered;
    }

    private void Record(List<ClaimedTask> claimed)
    {
        Span<long> receivedByType = stackalloc long[TaskLimits.TypeCount];
        var log = logger.IsEnabled(LogLevel.Information);
        foreach (var task in claimed)
        {
            receivedByType[task.Type]++;
            var total = totals.Add(task.Type, task.Value);
            if (log)
            {
                ConsumerLog.TaskReceived(logger, task.Id, task.Type, task.Value, total);
            }
        }

        metrics.Received(receivedByType);
    }

    private static RpcException Exhausted(string detail, TimeSpan retryAfter) =>
        new(new Status(StatusCode.ResourceExhausted, detail), new Metadata
        {
            { SubmitTrailers.RetryPushback, RoundUpMs(retryAfter).ToString(CultureInfo.InvariantCulture) },
        });

    private static int RoundUpMs(TimeSpan delay) => (int)Math.Clamp(Math.Ceiling(delay.TotalMilliseconds), 1, int.MaxValue);
}
