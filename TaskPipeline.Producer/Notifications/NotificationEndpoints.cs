using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Api;
using TaskPipeline.Producer.Security;

namespace TaskPipeline.Producer.Notifications;

/// <summary>The route handler of <c>/api/notifications</c>.</summary>
internal static class NotificationEndpoints
{
    /// <summary>How long a new stream waits for the relay to have started (the database may be away).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When a principal at its stream limit may try again: streams are long-lived, so sooner would mostly be refused
    /// again, and a client that reconnects in a loop should not make one request a second.
    /// </summary>
    public const int StreamLimitRetryAfterSeconds = 5;

    public static async Task<Results<TaskEventStream, ValidationProblem, ProblemHttpResult>> SubscribeAsync(
        [Description("completed (done), failed, canceled, or all (default).")] string? type,
        [FromHeader(Name = "Last-Event-ID")]
        [Description("The id of the last event received: the stream starts with every later event still in the table, at most "
            + "Notifications:MaxReplay back (a skipped event says what is no longer available).")]
        string? lastEventId,
        HttpContext httpContext,
        TaskEventHub hub,
        TaskEvents query,
        NotificationStreamLimit limit,
        IOptions<NotificationOptions> options,
        ProducerMetrics metrics,
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

        var client = ClientIdentity.Of(httpContext);
        var lease = limit.TryAcquire(client);
        if (lease is null)
        {
            metrics.ApiRequestRejected(ProducerMetrics.StreamLimited);
            NotificationLog.StreamLimited(loggerFactory.CreateLogger(typeof(NotificationEndpoints)), client, limit.Max);
            httpContext.Response.Headers.RetryAfter = StreamLimitRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many notification streams.",
                detail: $"This client may hold {limit.Max} notification streams open at once (Notifications:MaxStreamsPerPrincipal); "
                    + $"close one, or retry after {StreamLimitRetryAfterSeconds} s.");
        }

        // Held until the request ends, however it ends (the stream closes, an error, the answer below is not a stream).
        httpContext.Response.RegisterForDispose(lease);

        try
        {
            await hub.Started.WaitAsync(StartTimeout, time, cancellationToken);
            await hub.CatchUpAsync().WaitAsync(StartTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            httpContext.Response.Headers.RetryAfter = DatabaseUnavailableHandler.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Notifications are not available yet.",
                detail: "The Producer has not reached the task database yet; retry shortly.");
        }

        return new TaskEventStream(hub, query, filter, last, options.Value.MaxReplay, time, lifetime, loggerFactory.CreateLogger(typeof(NotificationEndpoints)));
    }
}
