using TaskPipeline.AppHost.Hosting;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Integration;

/// <summary>
/// Starts the whole app once for the collection, through the AppHost library: embedded PostgreSQL, two Consumer
/// replicas and a Producer that stores and sends <see cref="TaskCount"/> tasks.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public const int TaskCount = 3000;

    private readonly string _stateDirectory = TestDirectories.Create("pipeline");

    internal PipelineApp App { get; private set; } = null!;

    internal TaskAudit Audit { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new PipelineOptions
        {
            StateDirectory = _stateDirectory,
            Fresh = true,
            ConsumerReplicas = 2,
        };
        options.Settings["producer"] = new Dictionary<string, string?>
        {
            ["Producer:Rate"] = "3000",
            ["Producer:MaxTasks"] = TaskCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Producer:MaxBacklog"] = "100000",
        };

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        App = await PipelineApp.StartAsync(options, timeout.Token);
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
