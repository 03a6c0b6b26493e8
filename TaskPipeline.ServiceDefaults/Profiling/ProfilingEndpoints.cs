using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>
/// The profiling endpoint, .NET's counterpart of Go's pprof: served only on Profiling:Port, loopback unless
/// Profiling:Host says otherwise.
/// </summary>
internal static class ProfilingEndpoints
{
    public const string RoutePrefix = "/debug";

    public static void AddProfiling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RuntimeCounters>();
    }

    public static IEndpointRouteBuilder MapProfilingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(RoutePrefix);
        group.MapGet("/counters", (RuntimeCounters counters) => TypedResults.Ok(counters.Read()));
        return endpoints;
    }
}
