namespace TaskPipeline.Data.Tasks;

/// <summary>
/// A task this instance holds the lease of, as the database returned it when claimed. <see cref="Attempt"/> counts the
/// attempts that count; <see cref="Claim"/> names this claim, and only this claim's statements change the task.
/// </summary>
public readonly record struct ClaimedTask(Guid Id, short Type, short Value, int Attempt, int Claim);
