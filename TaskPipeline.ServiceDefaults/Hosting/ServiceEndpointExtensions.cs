using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.ServiceDefaults.Hosting;

internal static class ServiceEndpointExtensions
{
    private const string ManagementUrlKey = "Kestrel:Endpoints:management:Url";
    private const string HttpUrlKey = "Kestrel:Endpoints:http:Url";

    /// <summary>
    /// Turns the seed options (Prometheus:Port, Profiling:Port) into Kestrel endpoints. Values that do not parse are
    /// left alone here and reported by start-up validation, so a bad value gives one clear line, not a stack trace.
    /// </summary>
    public static void ConfigureServiceEndpoints(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;

        // An Aspire AppHost passes ASPNETCORE_URLS to a service without Kestrel endpoints of its own. Ours has two
        // (gRPC/API and management, which cannot share a port), so the given URL becomes the `http` endpoint instead of
        // being overridden by it, with the protocols the service configured for that endpoint.
        if (config["urls"] is { Length: > 0 } urls)
        {
            config[HttpUrlKey] = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            config["urls"] = string.Empty;
        }

        if (int.TryParse(config["Prometheus:Port"], out var prometheusPort) && config[ManagementUrlKey] is { } managementUrl)
        {
            config[ManagementUrlKey] = ServiceEndpointOptions.WithPort(managementUrl, prometheusPort);
        }

        config["Kestrel:Endpoints:management:Protocols"] ??= "Http1";

        if (int.TryParse(config["Profiling:Port"], out var profilingPort) && profilingPort > 0)
        {
            var host = config["Profiling:Host"] is { Length: > 0 } h ? h : "127.0.0.1";
            config["Kestrel:Endpoints:profiling:Url"] = $"http://{host}:{profilingPort}";
            config["Kestrel:Endpoints:profiling:Protocols"] = "Http1";
        }

        var keys = new Dictionary<string, string>
        {
            [nameof(ServiceEndpointOptions.ManagementUrl)] = ManagementUrlKey,
            [nameof(ServiceEndpointOptions.PrometheusPort)] = "Prometheus:Port",
            [nameof(ServiceEndpointOptions.ProfilingPort)] = "Profiling:Port",
            [nameof(ServiceEndpointOptions.ProfilingHost)] = "Profiling:Host",
        };
        builder.Services.AddValidatedOptions<ServiceEndpointOptions>(keys, (options, configuration) =>
        {
            options.ManagementUrl = configuration[ManagementUrlKey];
            options.PrometheusPort = configuration.GetValue<int?>("Prometheus:Port");
            options.ProfilingPort = configuration.GetValue<int>("Profiling:Port");
            options.ProfilingHost = configuration["Profiling:Host"] is { Length: > 0 } host ? host : "127.0.0.1";
        });
    }
}
