using Microsoft.Extensions.Logging;
using TaskPipeline.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>The HTTP API's log messages.</summary>
internal static partial class TaskApiLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} created through the API: type {TaskType}, value {TaskValue}")]
    public static partial void TaskCreated(ILogger logger, Guid taskId, int taskType, int taskValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} scheduled through the API: type {TaskType}, value {TaskValue}, due {RunAt:O}")]
    public static partial void TaskScheduled(ILogger logger, Guid taskId, int taskType, int taskValue, DateTimeOffset runAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Create under Idempotency-Key '{Key}' repeated: task {TaskId} exists (same request: {SameRequest})")]
    public static partial void IdempotentRepeat(ILogger logger, string key, Guid taskId, bool sameRequest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} canceled through the API")]
    public static partial void TaskCanceled(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} requeued through the API")]
    public static partial void TaskRequeued(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} {State} task(s) requeued through the API (type filter: {TaskType})")]
    public static partial void TasksRequeued(ILogger logger, int count, TaskState state, int? taskType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed: the database is unavailable: {Reason}")]
    public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string reason);
}
