namespace TaskPipeline.Data.Tasks;

/// <summary>A task this instance holds the lease of, as the database returned it when claimed.</summary>
public readonly record struct ClaimedTask(Guid Id, short Type, short Value, int Attempt);
