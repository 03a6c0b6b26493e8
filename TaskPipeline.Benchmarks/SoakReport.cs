namespace TaskPipeline.Benchmarks;

/// <summary>
/// The soak workload: a long run at the highest sustainable rate with retention on, sampled every ~10 s, and a shorter
/// reference run without retention in the same process, for the throughput ratio.
/// </summary>
internal sealed record SoakReport
{
    public required string Workload { get; init; }

    public required SoakRun Run { get; init; }

    /// <summary>The reference run without retention; null when skipped (--no-reference).</summary>
    public required SoakRun? Reference { get; init; }

    /// <summary>Run ÷ reference tasks per second; null without a reference.</summary>
    public required double? ThroughputRatio { get; init; }

    /// <summary>Samples before this many seconds are the table filling up to its steady size; flatness is judged after.</summary>
    public required double SettleSeconds { get; init; }

    /// <summary>(max − min) ÷ min of the exact row counts after <see cref="SettleSeconds"/>; null with fewer than two.</summary>
    public required double? RowsSpread { get; init; }

    /// <summary>(max − min) ÷ min of the table's size after <see cref="SettleSeconds"/>; null with fewer than two samples.</summary>
    public required double? SizeSpread { get; init; }

    /// <summary>Both spreads ≤ 0.10: the table stays flat within 10 %.</summary>
    public required bool Flat { get; init; }

    public required BenchmarkSettingsReport Settings { get; init; }
}
