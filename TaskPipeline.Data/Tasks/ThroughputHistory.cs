using System.ComponentModel;

namespace TaskPipeline.Data.Tasks;

/// <summary><c>GET /api/stats/history</c>: done and failed tasks over time, from the database, oldest first, empty buckets included.</summary>
public sealed record ThroughputHistory(
    [property: Description("Each of the last 300 seconds, the current one last.")]
    IReadOnlyList<ThroughputBucket> PerSecond,
    [property: Description("Each of the last 60 minutes, the current one last.")]
    IReadOnlyList<ThroughputBucket> PerMinute);
