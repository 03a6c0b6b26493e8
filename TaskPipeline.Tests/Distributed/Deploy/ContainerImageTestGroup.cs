using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>The container image build: a Release publish of the Consumer, then the image run from its archive.</summary>
[CollectionDefinition(Name)]
[ExpectedDuration(130)]
public sealed class ContainerImageTestGroup
{
    public const string Name = "ContainerImage";
}
