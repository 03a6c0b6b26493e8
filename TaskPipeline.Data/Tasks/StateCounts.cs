namespace TaskPipeline.Data.Tasks;

/// <summary>Tasks per state.</summary>
public sealed record StateCounts(long Received, long Processing, long Done, long Failed, long Canceled);
