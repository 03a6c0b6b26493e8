using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.Producer;

internal static partial class ProducerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Generating tasks at {Rate}/s (0 = unlimited), MaxBacklog {MaxBacklog}, MaxTasks {MaxTasks}")]
    public static partial void GenerationStarted(ILogger logger, double rate, int maxBacklog, string maxTasks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Produced {Count} tasks: generation stopped")]
    public static partial void GenerationCompleted(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backlog {Backlog} reached MaxBacklog {Max}: generation paused")]
    public static partial void GenerationPaused(ILogger logger, long backlog, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backlog {Backlog} is down to {ResumeMark} or less: generation resumed")]
    public static partial void GenerationResumed(ILogger logger, long backlog, int resumeMark);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable ({Operation}), retrying in {DelayMs:0} ms: {Reason}")]
    public static partial void DatabaseUnavailable(ILogger logger, string operation, double delayMs, string reason, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database available again after {Failures} failed attempt(s) over {Seconds:0.0} s")]
    public static partial void DatabaseRecovered(ILogger logger, int failures, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} tasks turned out to be stored already by an attempt whose answer was lost")]
    public static partial void BatchAlreadyStored(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A new batch of {Count} tasks collided with stored ids and was discarded")]
    public static partial void BatchCollided(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: {Count} stored task(s) were not queued; they stay received and are sent after the restart")]
    public static partial void BatchLeftInOutbox(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer unavailable ({Status}: {Detail}), retrying in {DelayMs:0} ms")]
    public static partial void ConsumerUnavailable(ILogger logger, StatusCode status, string detail, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer available again after {Seconds:0.0} s and {Retries} retried call(s)")]
    public static partial void ConsumerRecovered(ILogger logger, double seconds, long retries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer rejected a batch of {Count} tasks ({Status}: {Detail}); they stay received and the outbox sweep sends them again")]
    public static partial void BatchRejected(ILogger logger, int count, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} tasks failed {Attempts} attempt(s), the last with {Status}: {Detail}; it is given back to the outbox, which sends it again after {RedispatchAfter}")]
    public static partial void BatchGivenBack(ILogger logger, int count, int attempts, StatusCode status, string detail, TimeSpan redispatchAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending {Count} received task(s) again: not taken by a Consumer within {RedispatchAfter}, or handed back")]
    public static partial void Redispatching(ILogger logger, int count, TimeSpan redispatchAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch stopped with {Count} task(s) unsent; they stay received and are sent after the restart")]
    public static partial void DispatchStoppedWithUnsent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} left to the outbox sweep: the dispatch queue did not take it ({Reason})")]
    public static partial void LeftToOutbox(ILogger logger, Guid taskId, string reason);
}
