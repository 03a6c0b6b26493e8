namespace TaskPipeline.Benchmarks;

/// <summary>The cost curve: steady at each rate with its naive reference, and idle; each without and (with --telemetry) with telemetry.</summary>
internal sealed record CurveReport
{
    public required string Workload { get; init; }

    public required IReadOnlyList<double> Rates { get; init; }

    /// <summary>One steady run per rate (per telemetry setting), each with its reference and cost ratio.</summary>
    public required IReadOnlyList<BenchmarkReport> Runs { get; init; }

    /// <summary>One idle run per telemetry setting.</summary>
    public required IReadOnlyList<IdleReport> Idle { get; init; }
}
