namespace TaskPipeline.Benchmarks;

/// <summary>The idle workload: the whole app up with nothing to do, and what each of its processes spends meanwhile.</summary>
internal sealed record IdleReport
{
    public required string Workload { get; init; }

    /// <summary>How long the processes were measured.</summary>
    public required double Seconds { get; init; }

    public required IdleCores CorePercent { get; init; }

    /// <summary>Producer + Consumers + PostgreSQL, percent of one core.</summary>
    public required double PipelineCorePercent { get; init; }

    public required BenchmarkSettingsReport Settings { get; init; }
}
