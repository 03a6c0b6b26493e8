namespace TaskPipeline.Benchmarks;

/// <summary>The machine the numbers come from: cores, load when the run started, PostgreSQL and .NET versions.</summary>
internal sealed record MachineSettings(int Processors, double LoadAverage, string Postgres, string Runtime, string Os);
