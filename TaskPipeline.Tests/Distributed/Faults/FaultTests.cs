using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Faults;

/// <summary>
/// The fault-injection suite: each scenario is a fresh app, a known number of tasks, a fault, an audit. One scenario at
/// a time (their timings are about seconds of downtime), beside the other collections.
/// </summary>
[CollectionDefinition(Name)]
[ExpectedDuration(420)]
public sealed class FaultTests
{
    public const string Name = "Faults";
}
