using TaskPipeline.AppHost;
using TaskPipeline.AppHost.Database;
using TaskPipeline.AppHost.Monitoring;
using TaskPipeline.AppHost.Restarts;
using TaskPipeline.AppHost.Security;
using TaskPipeline.AppHost.Services;

// The system map: what runs, what it needs, and who talks to whom. Everything else lives beside the resource it is about.
var builder = DistributedApplication.CreateBuilder(args);

try
{
    var settings = builder.GetPipelineSettings();
    builder.CheckPortsAreFree();
    builder.AddRestartPolicy(settings.Restart);

    var tasksdb = builder.AddTasksDatabase(settings.Database);
    var submitSecret = builder.AddSubmitSecret();
    var apiKey = builder.AddDevelopmentApiKey();

    var consumer = builder.AddProject<Projects.TaskPipeline_Consumer>("consumer")
        .WithReplicas(settings.ConsumerReplicas)
        .WithRestartOnFailure()
        .WithEnvironment("Consumer__SubmitSecret", submitSecret)
        .WithServiceSettings()
        .WithManagementEndpoint()
        .WithDashboardTelemetry()
        .WithReference(tasksdb).WaitFor(tasksdb);

    var producer = builder.AddProject<Projects.TaskPipeline_Producer>("producer")
        .WithReplicas(settings.ProducerReplicas)
        .WithExplicitStart(settings.ProducerExplicitStart)
        .WithRestartOnFailure()
        .WithServiceSettings()
        .WithManagementEndpoint()
        .WithDashboardTelemetry()
        .WithEnvironment("Producer__ConsumerSecret", submitSecret)
        .WithApiKey(apiKey)
        .WithApiUrls()
        .WithRetryFailedTasksCommand(apiKey)
        .WithReference(tasksdb).WaitFor(tasksdb)
        .WithReference(consumer).WaitForEveryReplica(consumer);

    builder.AddPrometheus(settings.Prometheus, consumer, producer);

    await builder.Build().RunAsync();
    return 0;
}
catch (AppHostConfigurationException exception)
{
    // Bad settings or no usable PostgreSQL: one line, nothing started.
    await Console.Error.WriteLineAsync($"error: {exception.Message}");
    return 2;
}
