using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Api;
using TaskPipeline.Producer.Security;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Producer.Notifications;

internal static class NotificationExtensions
{
    /// <summary>
    /// Terminal state changes as Server-Sent Events: one relay per process follows the tasks table (LISTEN/NOTIFY and
    /// event_seq) and fans out to every open stream through the hub.
    /// </summary>
    public static TBuilder AddTaskNotifications<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<NotificationOptions>(NotificationOptions.SectionName);
        builder.Services.AddSingleton<NotificationStreamLimit>();
        builder.Services.AddSingleton<TaskEventHub>();
        builder.Services.AddHostedService<TaskEventRelay>();
        return builder;
    }

    /// <summary><c>GET /api/notifications</c>, after <see cref="TaskApiExtensions.MapTaskApi"/> (error handling, OpenAPI).</summary>
    public static WebApplication MapTaskNotifications(this WebApplication app)
    {
        app.MapApiGroup()
            .MapGet("/notifications", NotificationEndpoints.SubscribeAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithTags("Notifications")
            .WithName("StreamNotifications")
            .WithSummary("Follow terminal state changes as Server-Sent Events")
            .WithDescription(
                "Each event: `id:` its number, `event:` completed, failed or canceled, `data:` the task as JSON. "
                + "Reconnect with the Last-Event-ID header to receive every later event still in the table first, at most "
                + "Notifications:MaxReplay event numbers back; what is no longer available is announced by one `event: skipped` "
                + "with `data: {\"from\":…,\"to\":…,\"reason\":\"retention\"|\"max_replay\"}` (its id is `to`). "
                + "A principal may hold Notifications:MaxStreamsPerPrincipal streams open; one more is a 429 with Retry-After.")
            .WithMetadata(ParameterSchema.OneOf("type", NotificationFilter.Names))
            .Produces<TaskRecord>(StatusCodes.Status200OK, TaskEventStream.ContentType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
