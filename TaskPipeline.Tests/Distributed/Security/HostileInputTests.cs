namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>One app for the fuzz runs and the secret scan.</summary>
[CollectionDefinition(Name)]
public sealed class HostileInputTests : ICollectionFixture<HostileInputFixture>
{
    public const string Name = "HostileInput";
}
