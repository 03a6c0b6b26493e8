namespace TaskPipeline.Benchmarks;

/// <summary>
/// The completion NOTIFY trigger (0002_task_events.sql) during a run: on as shipped, or off to measure what it costs
/// (the Producer's notification stream then hears nothing, so nothing else may depend on it in that run).
/// </summary>
internal static class NotifyTrigger
{
    public const string On = "on";
    public const string Off = "off";
    public const string Name = "tasks_task_events_notify";

    public static string DisableSql => $"ALTER TABLE tasks DISABLE TRIGGER {Name}";

    public static string EnableSql => $"ALTER TABLE tasks ENABLE TRIGGER {Name}";
}
