using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Integration;

/// <summary>
/// The whole app, once for the collection, through Aspire.Hosting.Testing: PostgreSQL, two Consumer replicas and a
/// Producer that stores and sends <see cref="TaskCount"/> tasks.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public const int TaskCount = 3000;

    private readonly string _stateDirectory = TestDirectories.Create("pipeline");

    internal DistributedPipeline App { get; private set; } = null!;

    internal TaskAudit Audit { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var arguments = new AppArguments { ConsumerReplicas = 2 }
            .Set("producer", "Producer:Rate", 3000)
            .Set("producer", "Producer:MaxTasks", TaskCount)
            .Set("producer", "Producer:MaxBacklog", 100000);
        App = await DistributedPipeline.StartAsync(arguments, _stateDirectory);
        Audit = new TaskAudit(App.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        TestDirectories.Delete(_stateDirectory);
    }
}
