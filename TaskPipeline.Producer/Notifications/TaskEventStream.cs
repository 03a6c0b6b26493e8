using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Api;

namespace TaskPipeline.Producer.Notifications;

/// <summary>
/// A Server-Sent Events response: first what the client missed (events after its Last-Event-ID, read from the table
/// up to the hub's position when it subscribed), then live events from the hub, each as
/// <c>id: &lt;event_seq&gt;</c>, <c>event: completed|failed|canceled</c>, <c>data: &lt;the task as JSON&gt;</c>. A comment line
/// every <see cref="KeepAliveInterval"/> keeps idle connections (and proxies) open. Ends when the client goes, the
/// Producer stops, or the client falls too far behind (it then reconnects with Last-Event-ID and misses nothing).
/// </summary>
internal sealed class TaskEventStream(
    TaskEventHub hub,
    TaskEvents query,
    NotificationFilter filter,
    long? lastEventId,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger logger) : IResult
{
    public const string ContentType = "text/event-stream";

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>Tells EventSource clients to reconnect after 1 s.</summary>
    private static readonly byte[] Preamble = Encoding.UTF8.GetBytes("retry: 1000\n\n");

    private static readonly byte[] KeepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ending.Token;
        var response = httpContext.Response;
        var subscription = hub.Subscribe(filter);
        try
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            // Sent at once: once the client has the headers, it is subscribed.
            await response.Body.WriteAsync(Preamble, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);

            var sent = lastEventId ?? subscription.StartPosition;
            if (lastEventId is { } last && last < subscription.StartPosition)
            {
                sent = await ReplayAsync(response, last, subscription.StartPosition, cancellationToken);
            }

            await StreamLiveAsync(response, subscription, sent, cancellationToken);
            NotificationLog.StreamEnded(logger, subscription.Overflowed
                ? $"the client fell {TaskEventSubscription.Capacity} events behind; it reconnects with Last-Event-ID"
                : "the Producer is stopping");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the Producer is stopping.
        }
        finally
        {
            hub.Unsubscribe(subscription);
        }
    }

    private async Task<long> ReplayAsync(HttpResponse response, long after, long through, CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await query.ReplayAsync(after, through, filter.States, TaskEventRelay.PageSize, cancellationToken);
            foreach (var taskEvent in events)
            {
                await WriteAsync(response, taskEvent, cancellationToken);
            }

            await response.Body.FlushAsync(cancellationToken);
            if (events.Count < TaskEventRelay.PageSize)
            {
                return through;
            }

            after = events[^1].Sequence;
        }
    }

    private async Task StreamLiveAsync(HttpResponse response, TaskEventSubscription subscription, long sent, CancellationToken cancellationToken)
    {
        var reader = subscription.Events;
        while (true)
        {
            bool more;
            using (var idle = new CancellationTokenSource(KeepAliveInterval, time))
            using (var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token))
            {
                try
                {
                    more = await reader.WaitToReadAsync(either.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await response.Body.WriteAsync(KeepAlive, cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    continue;
                }
            }

            if (!more)
            {
                return;
            }

            while (reader.TryRead(out var taskEvent))
            {
                // A client that came back with an id beyond the hub's position has seen these already.
                if (taskEvent.Sequence > sent)
                {
                    await WriteAsync(response, taskEvent, cancellationToken);
                }
            }

            await response.Body.FlushAsync(cancellationToken);
        }
    }

    private static async Task WriteAsync(HttpResponse response, TaskEvent taskEvent, CancellationToken cancellationToken)
    {
        // Compact JSON has no line breaks (they are escaped in strings), so the data fits one data: line.
        var header = Encoding.UTF8.GetBytes($"id: {taskEvent.Sequence}\nevent: {TaskEventNames.Of(taskEvent.Task.State)}\ndata: ");
        var data = JsonSerializer.SerializeToUtf8Bytes(taskEvent.Task, TaskApiJsonContext.Default.TaskRecord);
        await response.Body.WriteAsync(header, cancellationToken);
        await response.Body.WriteAsync(data, cancellationToken);
        await response.Body.WriteAsync(EventEnd, cancellationToken);
    }
}
