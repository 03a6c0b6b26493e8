using Microsoft.Extensions.Logging;

namespace TaskPipeline.Producer.Notifications;

/// <summary>The notification relay's and streams' log messages.</summary>
internal static partial class NotificationLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Task events relayed from event {Position}")]
    public static partial void RelayStarted(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task events {From} to {To} were never committed (rolled back or superseded); skipped")]
    public static partial void EventGapSkipped(ILogger logger, long from, long to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification stream ended: {Reason}")]
    public static partial void StreamEnded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification stream refused: {Client} already holds {Max} open")]
    public static partial void StreamLimited(ILogger logger, string client, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification replay skipped events {From} to {To}: {Reason}")]
    public static partial void ReplaySkipped(ILogger logger, long from, long to, string reason);
}
