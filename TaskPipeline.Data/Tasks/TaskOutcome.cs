using System.Diagnostics;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// How one attempt ended: <see cref="Error"/> is null when the work succeeded. <see cref="Trace"/> is the work's span,
/// which the span writing the outcome links to.
/// </summary>
public readonly record struct TaskOutcome(Guid Id, int Attempt, string? Error, ActivityContext Trace = default)
{
    public bool Succeeded => Error is null;
}
