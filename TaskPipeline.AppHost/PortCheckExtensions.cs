using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TaskPipeline.AppHost;

internal static class PortCheckExtensions
{
    /// <summary>
    /// Before anything starts, every fixed port the app would listen on must be free: the dashboard's three (the launch
    /// profile's), the proxies in front of the services (their Kestrel URLs: 5100, 5101, 9100, 9101) and the servers'
    /// own. A port in use otherwise shows up as a resource that never starts and an app that waits for it; most often it
    /// is a second AppHost on the same machine, so the one line says so.
    /// </summary>
    public static IDistributedApplicationBuilder CheckPortsAreFree(this IDistributedApplicationBuilder builder)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var options = @event.Services.GetRequiredService<DistributedApplicationOptions>();
            // Aspire.Hosting.Testing (and --DcpPublisher:RandomizePorts=true) gives the dashboard and the proxies ports
            // of DCP's choosing.
            var randomized = builder.Configuration.GetValue("DcpPublisher:RandomizePorts", false);
            var ports = new List<(int Port, string Owner)>();
            if (!options.DisableDashboard && !randomized)
            {
                foreach (var key in (string[])["ASPNETCORE_URLS", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"])
                {
                    foreach (var url in (builder.Configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Port > 0)
                        {
                            ports.Add((uri.Port, $"the Aspire dashboard's {key}"));
                        }
                    }
                }
            }

            foreach (var resource in builder.Resources)
            {
                foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
                {
                    // A server of our own listens on its target port; a proxy on the port.
                    var listening = endpoint.IsProxied ? endpoint.Port : endpoint.TargetPort;
                    if (listening is { } port and > 0 && !(randomized && endpoint.IsProxied))
                    {
                        ports.Add((port, $"{resource.Name}'s {endpoint.Name} endpoint"));
                    }
                }
            }

            if (ports.FirstOrDefault(candidate => !LoopbackPort.IsFree(candidate.Port)) is ({ } taken, { } owner))
            {
                throw new AppHostConfigurationException(
                    $"port {taken} ({owner}) is in use on this machine, most likely by another TaskPipeline AppHost: stop it, " +
                    "or give this one other ports (README, \"Two apps on one machine\")");
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
