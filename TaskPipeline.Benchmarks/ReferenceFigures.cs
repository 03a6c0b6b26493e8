namespace TaskPipeline.Benchmarks;

/// <summary>
/// <c>steady</c>'s reference, the naive one-row-at-a-time lifecycle (<see cref="ReferenceClient"/>) at the same rate on
/// the same server: its CPU per task (the client's and PostgreSQL's) and its latency, due time to the third commit.
/// </summary>
internal sealed record ReferenceFigures(double CpuMicrosecondsPerTask, ReferenceLatency LatencyMs);
