namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>The tests that share one observed run (<see cref="ObservabilityFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ObservabilityTests : ICollectionFixture<ObservabilityFixture>
{
    public const string Name = "Observability";
}
