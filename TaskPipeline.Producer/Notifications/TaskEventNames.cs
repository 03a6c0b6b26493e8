using TaskPipeline.Data;

namespace TaskPipeline.Producer.Notifications;

/// <summary>The SSE event names of the terminal states.</summary>
internal static class TaskEventNames
{
    public static string Of(TaskState state) => state switch
    {
        TaskState.Done => "completed",
        TaskState.Failed => "failed",
        TaskState.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "only terminal states are events"),
    };
}
