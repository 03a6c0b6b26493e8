namespace TaskPipeline.Benchmarks;

/// <summary>
/// CPU per task of what runs around the pipeline, not counted as its cost: DCP, the Aspire dashboard (null unless
/// --telemetry runs it) and the AppHost (the benchmark process, which hosts it and polls the database for progress).
/// </summary>
internal sealed record HostFigures(double? Dcp, double? Dashboard, double? Apphost);
