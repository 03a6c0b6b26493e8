using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Api;

namespace TaskPipeline.Producer.Notifications;

/// <summary>The route handler of <c>/api/notifications</c>.</summary>
internal static class NotificationEndpoints
{
    /// <summary>How long a new stream waits for the relay to have started (the database may be away).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    public static async Task<Results<TaskEventStream, ValidationProblem, ProblemHttpResult>> SubscribeAsync(
        [Description("completed (done), failed, canceled, or all (default).")] string? type,
        [FromHeader(Name = "Last-Event-ID")]
        [Description("The id of the last event received: the stream starts with every later event still in the table.")]
        string? lastEventId,
        TaskEventHub hub,
        TaskEvents query,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!NotificationFilter.TryParse(type, out var filter))
        {
            errors["type"] = [$"must be one of {NotificationFilter.Allowed} (was '{type}')"];
        }

        long? last = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            if (long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                last = parsed;
            }
            else
            {
                errors["Last-Event-ID"] = [$"must be the id of an event of this stream, a whole number (was '{lastEventId}')"];
            }
        }

        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }

        try
        {
            await hub.Started.WaitAsync(StartTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Notifications are not available yet.",
                detail: "The Producer has not reached the task database yet; retry shortly.");
        }

        return new TaskEventStream(hub, query, filter, last, time, lifetime, loggerFactory.CreateLogger(typeof(NotificationEndpoints)));
    }
}
