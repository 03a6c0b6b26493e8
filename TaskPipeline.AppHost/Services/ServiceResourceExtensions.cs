using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

using TaskPipeline.AppHost.Security;

namespace TaskPipeline.AppHost.Services;

internal static class ServiceResourceExtensions
{
    private const string HttpEndpoint = "http";
    private const string ManagementEndpoint = "management";

    /// <summary>
    /// Every key of the AppHost configuration section named after the resource becomes that service's configuration:
    /// <c>--consumer:Consumer:FailureRate=0.3</c> gives each consumer replica <c>Consumer__FailureRate=0.3</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceSettings(this IResourceBuilder<ProjectResource> service)
    {
        var section = service.ApplicationBuilder.Configuration.GetSection(service.Resource.Name);
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return service;
    }

    /// <summary>
    /// Telemetry goes to the dashboard only when there is one. Aspire gives every project an OTLP endpoint even when the
    /// dashboard is off (tests, the benchmark): the services' exporters would then retry into memory and hold each
    /// shutdown for seconds while they flush to nothing. An endpoint given as a service setting
    /// (<c>--consumer:OTEL_EXPORTER_OTLP_ENDPOINT=…</c>) is kept.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDashboardTelemetry(this IResourceBuilder<ProjectResource> service)
    {
        var settings = service.ApplicationBuilder.Configuration.GetSection(service.Resource.Name);
        return service.WithEnvironment(context =>
        {
            var options = context.ExecutionContext.Services.GetRequiredService<DistributedApplicationOptions>();
            if (options.DisableDashboard && settings["OTEL_EXPORTER_OTLP_ENDPOINT"] is null)
            {
                foreach (var name in context.EnvironmentVariables.Keys.Where(name => name.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
                {
                    context.EnvironmentVariables.Remove(name);
                }
            }
        });
    }

    /// <summary>Aspire's <c>WithExplicitStart()</c> when <paramref name="explicitStart"/> is set (TaskPipeline:ProducerExplicitStart).</summary>
    public static IResourceBuilder<ProjectResource> WithExplicitStart(this IResourceBuilder<ProjectResource> service, bool explicitStart) =>
        explicitStart ? service.WithExplicitStart() : service;

    /// <summary>
    /// The service's readiness (/health on its management endpoint: up, migrated, database reachable) is its health in
    /// Aspire, so WaitFor waits for it; each replica's own /metrics and /health are shown in the dashboard
    /// (<see cref="ReplicaUrls"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithManagementEndpoint(this IResourceBuilder<ProjectResource> service)
    {
        var urls = new ReplicaUrls(service.Resource, ManagementEndpoint, ["/metrics", "/health"]);
        service.ApplicationBuilder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var lifetime = @event.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = urls.KeepPublishedAsync(@event.Services.GetRequiredService<ResourceNotificationService>(), lifetime.ApplicationStopping);
            return Task.CompletedTask;
        });
        return service
            .WithHttpHealthCheck("/health", endpointName: ManagementEndpoint)
            .WithUrlForEndpoint(ManagementEndpoint, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly);
    }

    /// <summary>
    /// Aspire's WaitFor, and then until every replica of <paramref name="dependency"/> is healthy (WaitFor is satisfied
    /// by the first). The Producer's connections to the Consumers are spread by DCP's proxy over the replicas that are
    /// up when they open: started early, every one of them would go to the first replica.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WaitForEveryReplica(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ProjectResource> dependency)
    {
        service.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(service.Resource, async (@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            var healthy = new HashSet<string>(StringComparer.Ordinal);
            await notifications.WaitForResourceAsync(dependency.Resource.Name, update =>
            {
                if (update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy)
                {
                    healthy.Add(update.ResourceId);
                }
                else
                {
                    healthy.Remove(update.ResourceId);
                }

                return healthy.Count >= dependency.Resource.GetReplicaCount();
            }, cancellationToken);
        });
        return service.WaitFor(dependency);
    }

    /// <summary>The task dashboard, the Task API and its OpenAPI document, in the Aspire dashboard.</summary>
    public static IResourceBuilder<ProjectResource> WithApiUrls(this IResourceBuilder<ProjectResource> producer) => producer
        .WithUrlForEndpoint(HttpEndpoint, url => url.DisplayText = "API")
        .WithUrlForEndpoint(HttpEndpoint, endpoint => new ResourceUrlAnnotation { Url = "/dashboard/", DisplayText = "Task dashboard", Endpoint = endpoint })
        .WithUrlForEndpoint(HttpEndpoint, endpoint => new ResourceUrlAnnotation { Url = "/api/tasks", DisplayText = "tasks", Endpoint = endpoint })
        .WithUrlForEndpoint(HttpEndpoint, endpoint => new ResourceUrlAnnotation { Url = "/openapi/v1.json", DisplayText = "OpenAPI", Endpoint = endpoint });

    /// <summary>
    /// "Retry failed tasks": the API's own bulk retry (POST /api/tasks/retry), so it is validated and logged like any
    /// call; with the API's largest limit per call (it requeues in batches of its own), and says when more are left.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRetryFailedTasksCommand(
        this IResourceBuilder<ProjectResource> producer, IResourceBuilder<ParameterResource>? apiKey) =>
        producer.WithHttpCommand(
            "/api/tasks/retry?limit=100000",
            "Retry failed tasks",
            endpointName: HttpEndpoint,
            commandName: "retry-failed-tasks",
            commandOptions: new HttpCommandOptions
            {
                Method = HttpMethod.Post,
                Description = "Moves every failed task (the dead letter) back to received, to be sent to a Consumer again.",
                ConfirmationMessage = "Send every failed task to the Consumers again?",
                IconName = "ArrowRepeatAll",
                PrepareRequest = context => SecretParameterExtensions.AddApiKeyAsync(context.Request, apiKey, context.CancellationToken),
                GetCommandResult = async context =>
                {
                    if (!context.Response.IsSuccessStatusCode)
                    {
                        return CommandResults.Failure($"the API answered {(int)context.Response.StatusCode}: {await context.Response.Content.ReadAsStringAsync(context.CancellationToken)}");
                    }

                    var body = await context.Response.Content.ReadFromJsonAsync<JsonElement>(context.CancellationToken);
                    var requeued = body.GetProperty("requeued").GetInt64();
                    return CommandResults.Success(body.GetProperty("more").GetBoolean()
                        ? $"{requeued} failed task(s) requeued; more are left: run the command again"
                        : $"{requeued} failed task(s) requeued");
                },
            });
}
