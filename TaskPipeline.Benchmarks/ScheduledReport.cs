namespace TaskPipeline.Benchmarks;

/// <summary>
/// The scheduled workload: delayed tasks due over a span of time, and how late each became processing after it was
/// due, with what the pipeline spent per task meanwhile.
/// </summary>
internal sealed record ScheduledReport
{
    public required string Workload { get; init; }

    public required long Tasks { get; init; }

    /// <summary>The span the due times were spread over, evenly.</summary>
    public required double SpreadSeconds { get; init; }

    /// <summary>Tasks due per second on average (<see cref="Tasks"/> / <see cref="SpreadSeconds"/>).</summary>
    public required double DuePerSecond { get; init; }

    /// <summary>From each task's due time (run_at) to its claim (processing), in milliseconds.</summary>
    public required LatencyFigures DueToProcessingMs { get; init; }

    /// <summary>Tasks claimed before they were due (must be 0).</summary>
    public required long ClaimedEarly { get; init; }

    /// <summary>CPU per task from the first due time to the last claim, microseconds: producer, consumer, postgres.</summary>
    public required Dictionary<string, double> CpuMicrosecondsPerTask { get; init; }

    public required BenchmarkSettingsReport Settings { get; init; }
}
