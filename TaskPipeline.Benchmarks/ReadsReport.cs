namespace TaskPipeline.Benchmarks;

/// <summary>The reads workload: the API's reads timed over HTTP on a seeded table, and an open dashboard's cost.</summary>
internal sealed record ReadsReport
{
    public required string Workload { get; init; }

    /// <summary>Rows in the tasks table when the reads were timed (the seeded rows plus the Producer's one task).</summary>
    public required long Rows { get; init; }

    /// <summary>Rows per state as seeded.</summary>
    public required IReadOnlyDictionary<string, long> SeededStates { get; init; }

    public required double SeedSeconds { get; init; }

    public required double VacuumAnalyzeSeconds { get; init; }

    /// <summary>pg_total_relation_size('tasks') after VACUUM ANALYZE, in MB.</summary>
    public required double TableMb { get; init; }

    /// <summary>Calls of each read not measured first (connections, JIT, the server's caches).</summary>
    public required int WarmupCalls { get; init; }

    /// <summary>Each read's p99 should be at most this (milliseconds).</summary>
    public required double TargetP99Ms { get; init; }

    public required IReadOnlyList<ReadFigures> Reads { get; init; }

    /// <summary>Whether every read other than retry-many met the target.</summary>
    public required bool AllReadsMeetTarget { get; init; }

    public required DashboardCost Dashboard { get; init; }

    public required BenchmarkSettingsReport Settings { get; init; }
}
