namespace TaskPipeline.Tests.Distributed.TaskDashboard;

/// <summary>One app and one browser for the task dashboard's browser tests.</summary>
[CollectionDefinition(Name)]
public sealed class TaskDashboardTestGroup : ICollectionFixture<TaskDashboardFixture>
{
    public const string Name = "TaskDashboard";
}
