namespace TaskPipeline.Data.Tasks;

/// <summary>Tasks per state.</summary>
public sealed record StateCounts(long Scheduled, long Received, long Processing, long Done, long Failed, long Canceled)
{
    /// <summary>From counts indexed by <see cref="TaskState"/>.</summary>
    internal static StateCounts Of(long[] byState) => new(
        byState[(int)TaskState.Scheduled],
        byState[(int)TaskState.Received],
        byState[(int)TaskState.Processing],
        byState[(int)TaskState.Done],
        byState[(int)TaskState.Failed],
        byState[(int)TaskState.Canceled]);
}
