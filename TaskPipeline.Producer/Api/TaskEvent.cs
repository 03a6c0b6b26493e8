using TaskPipeline.ServiceDefaults.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>A task that reached a terminal state, numbered by <c>event_seq</c> (the SSE event id).</summary>
internal sealed record TaskEvent(long Sequence, TaskResponse Task)
{
    /// <summary>The SSE event name: completed (done), failed or canceled.</summary>
    public string Name => NameOf(Task.State);

    public static string NameOf(TaskState state) => state switch
    {
        TaskState.Done => "completed",
        TaskState.Failed => "failed",
        TaskState.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "only terminal states are events"),
    };
}
