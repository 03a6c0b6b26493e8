namespace TaskPipeline.Producer.Api;

/// <summary>Tasks per state.</summary>
internal sealed record StateCounts(long Received, long Processing, long Done, long Failed, long Canceled);
