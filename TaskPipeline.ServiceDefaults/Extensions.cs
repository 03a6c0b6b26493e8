using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TaskPipeline.ServiceDefaults.Configuration;
using TaskPipeline.ServiceDefaults.Hosting;
using TaskPipeline.ServiceDefaults.Logging;
using TaskPipeline.ServiceDefaults.Profiling;
using TaskPipeline.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting service defaults, following the Aspire ServiceDefaults template: telemetry, health checks,
/// service discovery and HttpClient resilience, plus TaskPipeline's management and profiling endpoints.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string MetricsEndpointPath = "/metrics";

    /// <summary>Meters of TaskPipeline's own services; each service names its meter under this prefix.</summary>
    public const string MeterPrefix = "TaskPipeline.";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureServiceEndpoints();
        builder.ConfigureLogging();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddProfiling();
        builder.Services.AddSingleton<BackgroundLoops>();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterPrefix + "*")
                .AddPrometheusNaming()
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(MeterPrefix + "*")
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Probes and scrapes are noise in traces.
                    aspnet.Filter = context => !IsManagementPath(context.Request.Path))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        // OTLP only when a collector is configured, as the Aspire template does.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Maps /health (readiness: every check), /alive (liveness: checks tagged "live") and /metrics on the management
    /// endpoint only, and the profiling routes on the profiling endpoint only.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Ports are read per request: options are validated (with a clear message) only when the app runs.
        var endpoints = app.Services.GetRequiredService<IOptions<ServiceEndpointOptions>>();
        app.UseMiddleware<EndpointIsolationMiddleware>();

        app.UseHealthChecks(HealthEndpointPath);
        app.UseHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("live"),
        });
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == MetricsEndpointPath && context.Connection.LocalPort == endpoints.Value.ManagementPort);

        app.MapProfilingEndpoints();
        return app;
    }

    internal static bool IsManagementPath(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath)
        || path.StartsWithSegments(AlivenessEndpointPath)
        || path.StartsWithSegments(MetricsEndpointPath);
}
