using TaskPipeline.AppHost.Hosting;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Observability;

/// <summary>
/// A Consumer with its profiling port open, kept busy by a Producer that never stops generating, so a CPU profile
/// catches the service's own code at work. The app is started with a prometheus binary that does not exist: it must
/// say so and run without it.
/// </summary>
public sealed class ProfilingFixture : IAsyncLifetime
{
    public const string MissingPrometheus = "/nonexistent/bin/prometheus";

    private readonly string _stateDirectory = TestDirectories.Create("profiling");

    internal PipelineApp App { get; private set; } = null!;

    internal int ProfilingPort { get; } = PortAllocator.Next();

    internal HttpClient Profiling { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new PipelineOptions
        {
            StateDirectory = _stateDirectory,
            Fresh = true,
            ConsumerReplicas = 1,
            PrometheusPath = MissingPrometheus,
        };
        options.Set("consumer", "Profiling:Port", ProfilingPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("producer", "Producer:Rate", "1500");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        App = await PipelineApp.StartAsync(options, timeout.Token);
        Profiling = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ProfilingPort}"), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Profiling?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        TestDirectories.Delete(_stateDirectory);
    }
}
