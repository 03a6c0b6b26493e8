namespace TaskPipeline.Benchmarks;

internal enum BenchmarkWorkload
{
    /// <summary>Unlimited rate, no simulated work: throughput, with the ceiling measured in the same run.</summary>
    Max,

    /// <summary>A fixed rate with the default simulated work: latency.</summary>
    Steady,

    /// <summary><see cref="Max"/> with 1, 2 and 4 Consumer replicas.</summary>
    Scale,

    /// <summary>Only the ceiling: the lifecycle as plain batched SQL, no services.</summary>
    Ceiling,

    /// <summary>Max, steady and scale, one after the other.</summary>
    All,

    /// <summary>The API's reads timed over a large seeded table, and what an open task dashboard costs PostgreSQL.</summary>
    Reads,

    /// <summary>A long run at the highest rate with retention on: whether the table stays flat, and what retention costs.</summary>
    Soak,

    /// <summary>The app up with nothing to do: each process's share of a core.</summary>
    Idle,

    /// <summary>Idle, then steady at several rates, each with its reference: CPU per task against the rate.</summary>
    Curve,

    /// <summary>Delayed tasks due over a span: due-to-processing latency and CPU per task.</summary>
    Scheduled,
}
