using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TaskPipeline.ServiceDefaults.Hosting;

/// <summary>
/// Keeps each endpoint to its job: the management port serves only /health, /alive and /metrics, the profiling port
/// only /debug, and neither is reachable through the service's main port (the profiling routes can dump memory).
/// </summary>
internal sealed class EndpointIsolationMiddleware(RequestDelegate next, IOptions<ServiceEndpointOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoints = options.Value;
        var localPort = context.Connection.LocalPort;
        var path = context.Request.Path;

        var onManagementPort = localPort == endpoints.ManagementPort;
        var onProfilingPort = endpoints.ProfilingPort > 0 && localPort == endpoints.ProfilingPort;
        var isManagementPath = Microsoft.Extensions.Hosting.Extensions.IsManagementPath(path);
        var isProfilingPath = path.StartsWithSegments(Profiling.ProfilingEndpoints.RoutePrefix);

        var allowed = onManagementPort ? isManagementPath
            : onProfilingPort ? isProfilingPath
            : !isManagementPath && !isProfilingPath;

        if (!allowed)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
