using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskPipeline.AppHost.Database;

namespace TaskPipeline.AppHost.Monitoring;

internal static class PrometheusExtensions
{
    public const string ResourceName = "prometheus";
    private const string DebianPath = "/usr/bin/prometheus";
    private const string Image = "prom/prometheus";
    private const string ImageTag = "v3.5.0";

    /// <summary>
    /// Prometheus scraping every replica of <paramref name="services"/>: the installed binary as an executable resource,
    /// else a container when a container runtime is healthy, else nothing (one log line). Its targets are a file the
    /// AppHost rewrites as replicas start and stop (<see cref="ScrapeTargets"/>): replicas sit behind one DCP proxy, so
    /// each one's own port is only known once it runs.
    /// </summary>
    public static IResourceBuilder<IResourceWithEndpoints>? AddPrometheus(
        this IDistributedApplicationBuilder builder, PrometheusSettings settings, params IResourceBuilder<ProjectResource>[] services)
    {
        if (!settings.Enabled || builder.ExecutionContext.IsPublishMode)
        {
            return null;
        }

        var binary = Find(settings.Path);
        var inContainer = binary is null && ContainerRuntime.IsHealthy();
        if (binary is null && !inContainer)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
            {
                AppHostLog.PrometheusNotFound(@event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(AppHostLog.Category));
                return Task.CompletedTask;
            });
            return null;
        }

        var stateDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(settings.StateDirectory) ? DefaultStateDirectory() : settings.StateDirectory);
        Directory.CreateDirectory(stateDirectory);
        var targetsFile = Path.Combine(stateDirectory, "targets.json");
        var port = settings.Port > 0 ? settings.Port : FreeLoopbackPort();
        var configDirectory = inContainer ? "/etc/prometheus" : stateDirectory;
        File.WriteAllText(Path.Combine(stateDirectory, "prometheus.yml"), Configuration(settings.ScrapeInterval, Path.Combine(configDirectory, "targets.json")));

        var targets = new ScrapeTargets(targetsFile, [.. services.Select(service => service.Resource)], inContainer ? "host.docker.internal" : "localhost");
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var lifetime = @event.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = targets.KeepWrittenAsync(@event.Services.GetRequiredService<ResourceNotificationService>(), lifetime.ApplicationStopping);
            return Task.CompletedTask;
        });

        IResourceBuilder<IResourceWithEndpoints> prometheus = inContainer
            ? builder.AddContainer(ResourceName, Image, ImageTag)
                .WithBindMount(stateDirectory, "/etc/prometheus", isReadOnly: true)
                .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus")
                .WithHttpEndpoint(port: port, targetPort: 9090, name: "http")
            : builder.AddExecutable(ResourceName, binary!, stateDirectory,
                    "--config.file=prometheus.yml", "--storage.tsdb.path=data", $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}")
                .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false);

        return prometheus
            .WithHttpHealthCheck("/-/ready")
            .WithUrlForEndpoint("http", endpoint => new ResourceUrlAnnotation { Url = "/targets", DisplayText = "targets", Endpoint = endpoint })
            .WithIconName("ChartMultiple");
    }

    private static string? Find(string? path)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            return File.Exists(path) ? System.IO.Path.GetFullPath(path) : null;
        }

        var searchPath = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return searchPath.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, "prometheus"))
            .Append(DebianPath)
            .FirstOrDefault(File.Exists);
    }

    /// <summary>One job; each target carries its service, replica and instance labels (<see cref="ScrapeTargets"/>).</summary>
    private static string Configuration(TimeSpan scrapeInterval, string targetsFile)
    {
        var interval = Duration(scrapeInterval);
        // Prometheus requires scrape_timeout <= scrape_interval; 10 s (its default) unless the interval is shorter.
        var timeout = Duration(scrapeInterval < TimeSpan.FromSeconds(10) ? scrapeInterval : TimeSpan.FromSeconds(10));
        var yaml = new StringBuilder();
        yaml.AppendLine("# Generated by the TaskPipeline AppHost at every start: edits are overwritten.");
        yaml.AppendLine("global:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {interval}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scrape_timeout: {timeout}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {interval}");
        yaml.AppendLine("scrape_configs:");
        yaml.AppendLine("  - job_name: 'taskpipeline'");
        yaml.AppendLine("    metrics_path: '/metrics'");
        yaml.AppendLine("    file_sd_configs:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"      - files: ['{targetsFile}']");
        yaml.AppendLine("        refresh_interval: 1s");
        return yaml.ToString();
    }

    /// <summary>Prometheus durations: whole milliseconds are always accepted.</summary>
    private static string Duration(TimeSpan duration) =>
        $"{Math.Max(1, (long)Math.Round(duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)}ms";

    private static string DefaultStateDirectory()
    {
        if (Environment.UserName == "root")
        {
            return "/var/lib/taskpipeline/prometheus";
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return System.IO.Path.Combine(data, "taskpipeline", "prometheus");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
