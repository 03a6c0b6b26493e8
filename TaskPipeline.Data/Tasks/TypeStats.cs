namespace TaskPipeline.Data.Tasks;

/// <summary>The done tasks of one type.</summary>
public sealed record TypeStats(int Type, long Count, long ValueSum);
