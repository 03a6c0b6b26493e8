using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Benchmark;

/// <summary>The benchmark's smoke runs: several whole apps one after another.</summary>
[CollectionDefinition(Name)]
[ExpectedDuration(360)]
public sealed class BenchmarkTests
{
    public const string Name = "Benchmark";
}
