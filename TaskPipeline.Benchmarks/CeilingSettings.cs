namespace TaskPipeline.Benchmarks;

internal sealed record CeilingSettings(int BatchSize, int Connections);
