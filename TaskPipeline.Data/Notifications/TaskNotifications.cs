namespace TaskPipeline.Data.Notifications;

/// <summary>The PostgreSQL NOTIFY channels of the tasks database.</summary>
public static class TaskNotifications
{
    /// <summary>
    /// Empty payload, one per statement that set <c>event_seq</c> (a task reached done, failed or canceled, or left a
    /// terminal state): read <c>tasks WHERE event_seq &gt; last</c> to see what changed. Sent by a trigger (0002_task_events.sql).
    /// </summary>
    public const string EventsChannel = "task_events";

    /// <summary>Payload: the id of a task just canceled through the API, so the Consumer working on it stops at once.</summary>
    public const string CanceledChannel = "task_canceled";
}
