namespace TaskPipeline.AppHost.Benchmark;

internal sealed record CeilingSettings(int BatchSize, int Connections);
