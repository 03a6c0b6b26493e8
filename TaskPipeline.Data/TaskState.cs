namespace TaskPipeline.Data;

/// <summary>
/// The PostgreSQL enum <c>task_state</c>. Terminal states: Done, Failed (the dead letter), Canceled. Scheduled (a
/// delayed task not due yet) comes last here only so that arrays indexed by state keep their places; the database
/// sorts it first.
/// </summary>
public enum TaskState
{
    Received,
    Processing,
    Done,
    Failed,
    Canceled,
    Scheduled,
}
