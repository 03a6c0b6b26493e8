namespace TaskPipeline.AppHost.Hosting;

/// <summary>One replica of a resource at one moment, as the resource table shows it.</summary>
internal sealed record ResourceSnapshot(string Name, int Replica, ResourceState State, int? Pid, IReadOnlyList<ResourceUrl> Urls)
{
    /// <summary>The name output lines are prefixed with: <c>consumer-1</c>; <c>postgres</c>, <c>prometheus</c> for the single servers.</summary>
    public string Label => Name is PipelineOptions.PostgresResource or PipelineOptions.PrometheusResource ? Name : $"{Name}-{Replica}";
}
