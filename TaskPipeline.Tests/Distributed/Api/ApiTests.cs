namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>
/// The Task API's tests: one app (<see cref="TaskApiFixture"/>) shared by the route and notification tests, and one
/// app per failure-simulation class, started in turn rather than all at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ApiTests : ICollectionFixture<TaskApiFixture>
{
    public const string Name = "Api";
}
