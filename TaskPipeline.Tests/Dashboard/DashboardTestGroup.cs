namespace TaskPipeline.Tests.Dashboard;

/// <summary>
/// Dashboard tests change the process's current directory while the app starts (see
/// <see cref="DashboardTelemetryTests"/>): they run alone, after the tests that run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardTestGroup
{
    public const string Name = "Dashboard";
}
