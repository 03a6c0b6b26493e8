namespace TaskPipeline.Benchmarks;

/// <summary>The reference's latency percentiles in milliseconds.</summary>
internal sealed record ReferenceLatency(double P50, double P99);
