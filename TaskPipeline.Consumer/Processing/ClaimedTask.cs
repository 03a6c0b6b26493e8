namespace TaskPipeline.Consumer.Processing;

/// <summary>A task this instance holds the lease of, as the database returned it when claimed.</summary>
internal readonly record struct ClaimedTask(Guid Id, short Type, short Value, int Attempt);
