namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>One app for the authentication, authorization and rate-limit tests, which run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SecurityTests : ICollectionFixture<SecurityFixture>
{
    public const string Name = "Security";
}
