namespace TaskPipeline.Tests.Dashboard;

/// <summary>The tests that start the app with the Aspire dashboard on.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardTestGroup
{
    public const string Name = "Dashboard";
}
