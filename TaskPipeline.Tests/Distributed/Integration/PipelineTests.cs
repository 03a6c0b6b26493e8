namespace TaskPipeline.Tests.Distributed.Integration;

/// <summary>The tests that share one running app (<see cref="PipelineFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class PipelineTests : ICollectionFixture<PipelineFixture>
{
    public const string Name = "Pipeline";
}
