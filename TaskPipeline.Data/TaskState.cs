namespace TaskPipeline.Data;

/// <summary>The PostgreSQL enum <c>task_state</c>. Terminal states: Done, Failed (the dead letter), Canceled.</summary>
public enum TaskState
{
    Received,
    Processing,
    Done,
    Failed,
    Canceled,
}
