namespace TaskPipeline.Tests.Faults;

/// <summary>The fault-injection suite: each scenario is a fresh app, a known number of tasks, a fault, an audit.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTests
{
    public const string Name = "Faults";
}
