using System.Diagnostics;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// How the work of one claim (<see cref="ClaimedTask.Claim"/>) ended: <see cref="Error"/> is null when it succeeded. <see cref="Trace"/> is the work's span,
/// which the span writing the outcome links to.
/// </summary>
public readonly record struct TaskOutcome(Guid Id, int Claim, string? Error, ActivityContext Trace = default)
{
    public bool Succeeded => Error is null;
}
