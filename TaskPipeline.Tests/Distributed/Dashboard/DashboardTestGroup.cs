using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Dashboard;

/// <summary>The tests that start the app with the Aspire dashboard on.</summary>
[CollectionDefinition(Name)]
[ExpectedDuration(60)]
public sealed class DashboardTestGroup
{
    public const string Name = "Dashboard";
}
