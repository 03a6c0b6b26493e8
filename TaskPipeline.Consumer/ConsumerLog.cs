using Microsoft.Extensions.Logging;

namespace TaskPipeline.Consumer;

/// <summary>The Consumer's log messages, source-generated with structured fields.</summary>
internal static partial class ConsumerLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Consumer {InstanceId} started: {MaxConcurrency} workers, queue capacity {QueueCapacity}, rate limit {RateLimit}/s (0 = unlimited), lease {LeaseDuration}")]
    public static partial void Started(ILogger logger, string instanceId, int maxConcurrency, int queueCapacity, double rateLimit, TimeSpan leaseDuration);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Task {TaskId} received: type {TaskType}, value {TaskValue}, total value of this type so far {TypeValueTotal}")]
    public static partial void TaskReceived(ILogger logger, Guid taskId, int taskType, int taskValue, long typeValueTotal);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug,
        Message = "Submit of {Requested} task(s): {Accepted} accepted, {Duplicates} duplicate(s), {Deferred} deferred by the rate limit")]
    public static partial void Submitted(ILogger logger, int requested, int accepted, int duplicates, int deferred);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug,
        Message = "Submit of {Requested} task(s) rejected: {Reason}")]
    public static partial void SubmitRejected(ILogger logger, int requested, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Submit of {Requested} task(s) failed: the database is unavailable: {Reason}")]
    public static partial void SubmitDatabaseUnavailable(ILogger logger, int requested, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning,
        Message = "Submit from {Peer} refused: {Reason}")]
    public static partial void SubmitUnauthenticated(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning,
        Message = "Submit of {Length} byte(s) refused: not a SubmitRequest: {Reason}")]
    public static partial void SubmitMalformed(ILogger logger, int length, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning,
        Message = "Writing {Outcomes} task outcome(s) failed (attempt {Attempt}); retrying in {DelayMs} ms: {Reason}")]
    public static partial void CompletionRetry(ILogger logger, int outcomes, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error,
        Message = "Writing {Outcomes} task outcome(s) failed and cannot succeed by retrying; their leases will expire and the tasks will run again")]
    public static partial void CompletionFailed(ILogger logger, int outcomes, Exception exception);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning,
        Message = "{DeadLettered} task(s) failed for the last time (attempt limit {MaxAttempts}) and were dead-lettered")]
    public static partial void DeadLettered(ILogger logger, long deadLettered, int maxAttempts);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug,
        Message = "{Stale} task outcome(s) were not applied: the claim is no longer ours (canceled, or the lease was lost)")]
    public static partial void StaleOutcomes(ILogger logger, int stale);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning,
        Message = "Lost the lease of {Lost} task(s) (canceled, or expired); their work is stopped and not reported")]
    public static partial void LeasesLost(ILogger logger, int lost);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning,
        Message = "Renewing {Leases} lease(s) failed: {Reason}")]
    public static partial void LeaseRenewalFailed(ILogger logger, int leases, string reason);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning,
        Message = "Expired {Expired} stale lease(s) of stopped consumers ({DeadLettered} dead-lettered, the rest back to received)")]
    public static partial void LeasesExpired(ILogger logger, int expired, long deadLettered);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning,
        Message = "Expiring stale leases failed: {Reason}")]
    public static partial void LeaseExpiryFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information,
        Message = "Stopping: no new tasks accepted; draining {Queued} queued or running task(s) for up to {DrainTimeout}")]
    public static partial void Draining(ILogger logger, int queued, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Information,
        Message = "Drain finished: all queued work done")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning,
        Message = "Drain timed out after {DrainTimeout}: stopping the remaining work; it will be released")]
    public static partial void DrainTimedOut(ILogger logger, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Information,
        Message = "Released {Released} unfinished task(s) of {Held} held back to received")]
    public static partial void LeasesReleased(ILogger logger, int released, int held);

    [LoggerMessage(EventId = 1034, Level = LogLevel.Error,
        Message = "Releasing {Held} unfinished task(s) failed; their leases will expire and the tasks will run again")]
    public static partial void ReleaseFailed(ILogger logger, int held, Exception exception);

    [LoggerMessage(EventId = 1035, Level = LogLevel.Warning,
        Message = "Stopped before {Outcomes} task outcome(s) were written; their leases are released")]
    public static partial void OutcomesUnwritten(ILogger logger, int outcomes);
}
