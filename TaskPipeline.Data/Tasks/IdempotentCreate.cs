namespace TaskPipeline.Data.Tasks;

/// <summary>
/// What a create under an idempotency key came to: <see cref="Task"/> when this call created the task; otherwise the key
/// was taken within its lifetime, by the same request (<see cref="SameRequest"/>: <see cref="Response"/> is the first
/// create's answer) or by another one (for task <see cref="TaskId"/>).
/// </summary>
public sealed record IdempotentCreate(TaskRecord? Task, bool SameRequest, string? Response, Guid TaskId)
{
    public bool Created => Task is not null;
}
