using System.Globalization;
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
/// Producer stops, or the client falls <see cref="TaskEventSubscription.Capacity"/> events behind (it then reconnects
/// with Last-Event-ID and misses nothing that is still in the table).
/// <para>
/// The replay is bounded: it reaches at most <c>maxReplay</c> event numbers back from the hub's position, and never
/// below the oldest event still in the table (finished tasks are deleted after an age). A Last-Event-ID further back
/// gets one <c>event: skipped</c> first, whose data names the numbers no longer available and whose id is the last of
/// them, so the client knows it missed events (and a reconnect from there does not hear it again).
/// </para>
/// </summary>
internal sealed class TaskEventStream(
    TaskEventHub hub,
    TaskEvents query,
    NotificationFilter filter,
    long? lastEventId,
    int maxReplay,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger logger) : IResult
{
    public const string ContentType = "text/event-stream";

    /// <summary>The event that announces events no longer available for a replay.</summary>
    public const string SkippedEvent = "skipped";

    /// <summary>Why: older than the oldest event still in the table, or further back than Notifications:MaxReplay.</summary>
    public const string SkippedByRetention = "retention";
    public const string SkippedByMaxReplay = "max_replay";

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
            // Before the headers: a database that is away here is still a 503, not a stream that ends at once.
            var skipped = lastEventId is { } from && from < subscription.StartPosition
                ? await ReplayFloorAsync(from, subscription.StartPosition, cancellationToken)
                : null;

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
                if (skipped is { } gap)
                {
                    NotificationLog.ReplaySkipped(logger, last + 1, gap.To, gap.Reason);
                    await WriteSkippedAsync(response, last + 1, gap.To, gap.Reason, cancellationToken);
                    last = gap.To;
                }

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

    /// <summary>
    /// Where a replay from <paramref name="lastEventId"/> must start instead, and why; null when it may start there.
    /// The numbers up to <see cref="ReplayGap.To"/> are no longer available (some may never have been events: numbers
    /// of rolled-back transactions, events of other types).
    /// </summary>
    private async Task<ReplayGap?> ReplayFloorAsync(long lastEventId, long position, CancellationToken cancellationToken)
    {
        ReplayGap? gap = null;
        if (position - lastEventId > maxReplay)
        {
            gap = new ReplayGap(position - maxReplay, SkippedByMaxReplay);
        }

        // No event at all: retention has taken every one up to the position.
        var oldest = await query.OldestAsync(cancellationToken) ?? position + 1;
        var retained = Math.Min(oldest - 1, position);
        if (retained > (gap?.To ?? lastEventId))
        {
            gap = new ReplayGap(retained, SkippedByRetention);
        }

        return gap;
    }

    private static async Task WriteSkippedAsync(HttpResponse response, long from, long to, string reason, CancellationToken cancellationToken)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"id: {to}\nevent: {SkippedEvent}\ndata: {{\"from\":{from},\"to\":{to},\"reason\":\"{reason}\"}}\n\n");
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
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

    /// <summary>Event numbers up to <paramref name="To"/> are gone for a replay, because of <paramref name="Reason"/>.</summary>
    private readonly record struct ReplayGap(long To, string Reason);
}
