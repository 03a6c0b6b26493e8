namespace TaskPipeline.Producer.Api;

/// <summary>The done tasks of one type.</summary>
internal sealed record TypeStats(int Type, long Count, long ValueSum);
