namespace TaskPipeline.Benchmarks;

/// <summary>What <see cref="TaskSeeder"/> wrote: rows per state, and some ids spread over the table for single-task reads.</summary>
internal sealed record SeedResult(IReadOnlyDictionary<string, long> States, IReadOnlyList<Guid> SampleIds, double Seconds);
