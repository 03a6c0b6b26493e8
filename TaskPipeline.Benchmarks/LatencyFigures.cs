namespace TaskPipeline.Benchmarks;

/// <summary>Percentiles in milliseconds (PostgreSQL's percentile_cont over every task).</summary>
internal sealed record LatencyFigures(double P50, double P95, double P99, double P999, double Max);
