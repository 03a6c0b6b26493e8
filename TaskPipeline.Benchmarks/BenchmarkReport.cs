namespace TaskPipeline.Benchmarks;

/// <summary>
/// One benchmark run, as the JSON report gives it. Throughput is end to end as the database records it: from the first
/// task's <c>created_at</c> to the last one's <c>done_at</c>, every task checked <c>done</c>.
/// </summary>
internal sealed record BenchmarkReport
{
    /// <summary>max, steady, scale or ceiling.</summary>
    public required string Workload { get; init; }

    public required long Tasks { get; init; }

    /// <summary>First created to last done.</summary>
    public required double Seconds { get; init; }

    public required double TasksPerSecond { get; init; }

    /// <summary>The same lifecycle as plain batched SQL against the same server in the same run; null when not measured.</summary>
    public required double? CeilingTasksPerSecond { get; init; }

    /// <summary><see cref="TasksPerSecond"/> ÷ <see cref="CeilingTasksPerSecond"/>.</summary>
    public required double? CeilingRatio { get; init; }

    /// <summary>done_at − created_at of every task.</summary>
    public required LatencyFigures LatencyMs { get; init; }

    /// <summary>The same less each task's own simulated delay (value × DelayPerValue): what the pipeline adds.</summary>
    public required LatencyFigures LatencyBeyondDelayMs { get; init; }

    /// <summary>The latency at every whole percentile, 0 to 100 (101 values): the report's CDF.</summary>
    public required double[] LatencyCdfMs { get; init; }

    /// <summary>The same for <see cref="LatencyBeyondDelayMs"/>.</summary>
    public required double[] LatencyBeyondDelayCdfMs { get; init; }

    /// <summary>Throughput over the run.</summary>
    public required Timeline Timeline { get; init; }

    /// <summary>CPU milliseconds per 1,000 tasks, per resource; null for a resource that took no part.</summary>
    public required ResourceFigures CpuMsPer1000Tasks { get; init; }

    /// <summary>CPU milliseconds per 1,000 tasks of DCP, the dashboard and the AppHost; null for the ceiling alone.</summary>
    public required HostFigures? HostCpuMsPer1000Tasks { get; init; }

    /// <summary>Peak resident memory (VmHWM) in MB, per resource; null for a resource that took no part.</summary>
    public required ResourceFigures PeakRssMb { get; init; }

    /// <summary>
    /// steady only: the naive one-row-at-a-time lifecycle at the same rate on the same server, measured in the same run
    /// once the services are stopped (<see cref="NaiveReference"/>); null for the other workloads.
    /// </summary>
    public required ReferenceFigures? Reference { get; init; }

    /// <summary>(Producer + Consumers + PostgreSQL CPU per task) ÷ the reference's CPU per task; null without a reference.</summary>
    public required double? CostRatio { get; init; }

    public required BenchmarkSettingsReport Settings { get; init; }
}
