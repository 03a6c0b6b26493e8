using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Dispatch;

/// <summary>Priority order under a backlog: each test runs its own app with a rate-limited Consumer, one at a time.</summary>
[CollectionDefinition(Name)]
[ExpectedDuration(90)]
public sealed class PriorityTestGroup
{
    public const string Name = "Priorities";
}
