using System.Net;
using System.Net.Sockets;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>
/// A Consumer with its profiling port open, kept busy by a Producer that never stops generating, so a CPU profile
/// catches the service's own code at work; the real AppHost through Aspire.Hosting.Testing. One Consumer replica: the
/// profiling port is a fixed port of the service, which a second replica could not also bind. The app is started with
/// a prometheus binary that does not exist: the AppHost must say so and run without it (its log is read in-process).
/// </summary>
public sealed class ProfilingFixture() : WholeAppFixture("profiling")
{
    public const string MissingPrometheus = "/nonexistent/bin/prometheus";
    public const string ConsumerResource = "consumer";
    public const string PrometheusResource = "prometheus";

    /// <summary>What the AppHost logged while it built and started the app.</summary>
    internal AppHostLogListener AppHostLog { get; } = new();

    internal int ProfilingPort { get; } = FreeLoopbackPort();

    internal HttpClient Profiling { get; private set; } = null!;

    internal override AppArguments Arguments() => new AppArguments { ConsumerReplicas = 1, Prometheus = true }
        .SetAppHost("Prometheus:Path", MissingPrometheus)
        .Set(ConsumerResource, "Profiling:Port", ProfilingPort)
        .Set("producer", "Producer:Rate", 1500);

    protected override string StartFailureDetails() => $"the AppHost logged:\n{AppHostLog.Describe()}";

    protected override Task StartedAsync()
    {
        Profiling = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ProfilingPort}"), Timeout = TimeSpan.FromMinutes(2) };
        return Task.CompletedTask;
    }

    protected override Task BeforeStopAsync()
    {
        Profiling?.Dispose();
        return Task.CompletedTask;
    }

    protected override Task StoppedAsync()
    {
        AppHostLog.Dispose();
        return Task.CompletedTask;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
