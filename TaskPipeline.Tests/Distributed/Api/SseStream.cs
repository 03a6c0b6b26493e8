using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>
/// A minimal Server-Sent Events client (what EventSource does). A pump reads the open response into a queue, so a
/// test can wait for events with a timeout and go on reading after it (canceling a read of the response itself would
/// abort the connection).
/// </summary>
internal sealed class SseStream : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _pump;

    private SseStream(HttpClient client, HttpResponseMessage response, Stream body)
    {
        _client = client;
        _response = response;
        _pump = PumpAsync(new StreamReader(body, Encoding.UTF8));
    }

    /// <summary>Opens the stream; when this returns, the server has subscribed it (it sends the headers only then).</summary>
    public static async Task<SseStream> OpenAsync(Uri api, string query, long? lastEventId = null, string apiKey = AppArguments.ApiKey) =>
        (await TryOpenAsync(api, query, lastEventId, apiKey, HttpStatusCode.OK))!;

    /// <summary>As <see cref="OpenAsync"/>, but null when the server answers <paramref name="refusal"/> instead.</summary>
    public static async Task<SseStream?> TryOpenAsync(Uri api, string query, long? lastEventId, string apiKey, HttpStatusCode refusal)
    {
        var client = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var response = await client.SendAsync(Request(query, lastEventId, apiKey), HttpCompletionOption.ResponseHeadersRead, connect.Token);
            if (response.StatusCode == refusal && refusal != HttpStatusCode.OK)
            {
                response.Dispose();
                client.Dispose();
                return null;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync(connect.Token);
                response.Dispose();
                Assert.Fail($"the stream answered {(int)response.StatusCode}: {body}");
            }

            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new SseStream(client, response, await response.Content.ReadAsStreamAsync(connect.Token));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The request <see cref="OpenAsync"/> sends, for a test that expects another answer than a stream.</summary>
    public static HttpRequestMessage Request(string query, long? lastEventId = null, string apiKey = AppArguments.ApiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/notifications" + query, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("X-Api-Key", apiKey);
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
        }

        return request;
    }

    /// <summary>
    /// Takes events until <paramref name="done"/> holds for those taken by this call; a timeout reports what came (the
    /// stream stays usable).
    /// </summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<List<SseEvent>, bool> done, TimeSpan timeout)
    {
        var events = new List<SseEvent>();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (!done(events))
            {
                events.Add(await _events.Reader.ReadAsync(deadline.Token));
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"the expected events did not arrive within {timeout}; received: {string.Join(", ", events.Select(e => $"{e.Id} {e.Name} {e.TaskId}"))}");
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _pump;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
            // The connection was closed under the pump: that is how it stops.
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        using (reader)
        {
            try
            {
                while (await ReadEventAsync(reader, _stop.Token) is { } next)
                {
                    _events.Writer.TryWrite(next);
                }

                _events.Writer.TryComplete(new EndOfStreamException("the server ended the stream"));
            }
            catch (Exception exception)
            {
                _events.Writer.TryComplete(exception);
                throw;
            }
        }
    }

    /// <summary>The next event; null at the end of the stream.</summary>
    private static async Task<SseEvent?> ReadEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? id = null;
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                // A block without data (the retry: preamble) dispatches nothing.
                if (data.Length > 0)
                {
                    using var json = JsonDocument.Parse(data.ToString());
                    return new SseEvent(
                        long.Parse(id ?? throw new InvalidDataException("an event without id"), CultureInfo.InvariantCulture),
                        name ?? throw new InvalidDataException("an event without a name"),
                        json.RootElement.Clone());
                }

                id = name = null;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data.Append(value);
                    break;
                default:
                    break;
            }
        }

        return null;
    }
}
