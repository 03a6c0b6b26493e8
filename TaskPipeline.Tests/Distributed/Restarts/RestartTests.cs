using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Restarts;

/// <summary>
/// The AppHost's restart policy against real processes: each scenario a fresh app with the policy on, a crash or a
/// stop, and what came back. One at a time (their figures are seconds to recover), beside the other collections.
/// </summary>
[CollectionDefinition(Name)]
[ExpectedDuration(240)]
public sealed class RestartTests
{
    public const string Name = "Restarts";
}
