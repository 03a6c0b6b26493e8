namespace TaskPipeline.Consumer.Processing;

/// <summary>How one attempt ended: <see cref="Error"/> is null when the work succeeded.</summary>
internal readonly record struct TaskOutcome(Guid Id, int Attempt, string? Error)
{
    public bool Succeeded => Error is null;
}
