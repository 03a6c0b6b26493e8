using Microsoft.Extensions.Logging;

namespace TaskPipeline.Producer.Api;

/// <summary>The HTTP API's log messages.</summary>
internal static partial class TaskApiLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} created through the API: type {TaskType}, value {TaskValue}")]
    public static partial void TaskCreated(ILogger logger, Guid taskId, int taskType, int taskValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} canceled through the API")]
    public static partial void TaskCanceled(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} requeued through the API")]
    public static partial void TaskRequeued(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} {State} task(s) requeued through the API (type filter: {TaskType})")]
    public static partial void TasksRequeued(ILogger logger, int count, ServiceDefaults.Data.TaskState state, int? taskType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} left to the outbox sweep: the dispatch queue did not take it ({Reason})")]
    public static partial void LeftToOutbox(ILogger logger, Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task events relayed from event {Position}")]
    public static partial void RelayStarted(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task events {From} to {To} were never committed (rolled back or superseded); skipped")]
    public static partial void EventGapSkipped(ILogger logger, long from, long to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification stream ended: {Reason}")]
    public static partial void StreamEnded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed: the database is unavailable: {Reason}")]
    public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string reason);
}
