using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CsCheck;
using Google.Protobuf;
using Grpc.Core;
using TaskPipeline.Contracts;
using TaskPipeline.Tests.Support;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>
/// Thousands of random and mutated requests against the running services (CsCheck generates them and shrinks a failing
/// one to its smallest form): every answer is one the API or Submit documents, the services stay healthy and log no
/// error, and nothing is written but what an answer reports.
/// </summary>
[Collection(HostileInputTests.Name)]
public sealed class FuzzTests(HostileInputFixture app, ITestOutputHelper output)
{
    private const int HttpRequests = 3000;
    private const int SubmitCalls = 2000;

    /// <summary>
    /// The statuses the OpenAPI document gives; 503 cannot happen here (the database is up), and 429 only on the
    /// notification stream (<see cref="StreamLimited"/>).
    /// </summary>
    private static readonly HashSet<HttpStatusCode> DocumentedHttp =
    [
        HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden,
        HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed, HttpStatusCode.Conflict, HttpStatusCode.RequestEntityTooLarge,
        HttpStatusCode.UnsupportedMediaType,
    ];

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[0, 40],
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_"].Array[0, 40].Select(chars => new string(chars)),
        Gen.Int[-200, 2000].Select(number => number.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf(
            "", "0", "-1", "9", "10", "99", "100", "1000", "1001", "1e9", "99999999999999999999", "null", "true", "[]", "{}", "%00",
            "../..", "' OR 1=1 --", "received", "processing", "done", "failed", "canceled", "completed", "all",
            "00000000-0000-0000-0000-000000000000", new string('9', 300), "\u0000", "\uFFFD", "ﬀ", "<script>")).Select(text => text);

    private static readonly Gen<string> Segment = Gen.OneOf(Text, Gen.Guid.Select(id => id.ToString()));

    /// <summary>Mostly the real routes (so that requests reach the handlers), some of them with mutated segments.</summary>
    private static readonly Gen<string> Path = Gen.Frequency(
        (8, Gen.OneOf("/api/tasks", "/api/tasks", "/api/tasks", "/api/tasks/retry", "/api/stats", "/api/notifications", "/api/pipeline", "/api/me", "/api", "/", "/openapi/v1.json")),
        (2, Segment.Select(id => $"/api/tasks/{Uri.EscapeDataString(id)}")),
        (2, Segment.Select(id => $"/api/tasks/{Uri.EscapeDataString(id)}/cancel")),
        (2, Segment.Select(id => $"/api/tasks/{Uri.EscapeDataString(id)}/retry")),
        (1, Gen.Select(Segment, Text, (id, tail) => $"/api/tasks/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(tail)}")),
        (1, Text.Select(tail => $"/api/{Uri.EscapeDataString(tail)}")));

    private static readonly Gen<string> Query = Gen.Select(Gen.OneOf(Gen.OneOf("state", "type", "limit", "after"), Text), Text, (name, value) =>
        $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}").Array[0, 4].Select(pairs => pairs.Length == 0 ? "" : "?" + string.Join('&', pairs));

    /// <summary>Bodies: valid and nearly valid tasks, their mutations, random JSON-ish text and random bytes, some too large.</summary>
    private static readonly Gen<byte[]> Body = Gen.OneOf(
        Gen.Select(Gen.Int[-5, 105], Gen.Int[-5, 105], (type, value) => Encoding.UTF8.GetBytes($"{{\"type\":{type},\"value\":{value}}}")),
        Gen.Select(Gen.Int[0, 24], Gen.Char, Gen.Bool, (at, c, insert) =>
        {
            var valid = "{\"type\":3,\"value\":7}";
            var position = Math.Min(at, valid.Length - 1);
            return Encoding.UTF8.GetBytes(insert ? valid.Insert(position, c.ToString()) : valid.Remove(position, 1));
        }),
        Text.Select(text => Encoding.UTF8.GetBytes(text)),
        Gen.Byte.Array[0, 200],
        Gen.Const(() => Encoding.UTF8.GetBytes($"{{\"type\":1,\"value\":2,\"pad\":\"{new string('x', 17_000)}\"}}")));

    private static readonly Gen<string?> ContentType = Gen.OneOf<string?>(
        "application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "application/json; charset=utf-16", null);

    private enum Credential { Writer, Reader, None, WrongKey, Garbage }

    /// <summary>
    /// A notification stream over Notifications:MaxStreamsPerPrincipal (4) answers 429: four threads each open one, and
    /// the server frees a slot only when it sees the previous stream closed, so a fifth can find all four still held.
    /// </summary>
    private static bool StreamLimited(FuzzRequest request) =>
        request.Method == HttpMethod.Get && request.Path.StartsWith("/api/notifications", StringComparison.OrdinalIgnoreCase);

    private sealed record FuzzRequest(HttpMethod Method, string Path, string Query, byte[]? Body, string? ContentType, Credential Credential, string? LastEventId)
    {
        public override string ToString() =>
            $"{Method} {Path}{Query} ({Credential}, {ContentType}, Last-Event-ID {LastEventId}, body {(Body is null ? "none" : Convert.ToBase64String(Body[..Math.Min(Body.Length, 200)]))})";
    }

    private static readonly Gen<FuzzRequest> Request = Gen.Select(
        Gen.Frequency((4, HttpMethod.Get), (5, HttpMethod.Post), (1, HttpMethod.Put), (1, HttpMethod.Delete), (1, HttpMethod.Patch), (1, HttpMethod.Head), (1, HttpMethod.Options)),
        Path,
        Query,
        Gen.Select(Body, ContentType, Gen.Int[0, 3], (body, type, send) => (send > 0 ? body : null, type)),
        Gen.Frequency((6, Credential.Writer), (1, Credential.Reader), (1, Credential.None), (1, Credential.WrongKey), (1, Credential.Garbage)),
        Gen.Char["0123456789abcxyz -"].Array[0, 25].Select(chars => chars.Length == 0 ? null : new string(chars)),
        (method, path, query, content, credential, lastEventId) => new FuzzRequest(method, path, query, content.Item1, content.type, credential, lastEventId));

    [Fact]
    public async Task RandomAndMutatedRequestsToEveryRouteGetADocumentedAnswerAndWriteOnlyWhatTheyReport()
    {
        var before = await SnapshotAsync();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var client = app.App.CreateAnonymousHttpClient("producer");
        client.Timeout = TimeSpan.FromSeconds(30);

        await Request.SampleAsync(async request =>
        {
            using var message = new HttpRequestMessage(request.Method, request.Path + request.Query);
            if (request.Body is { } body)
            {
                message.Content = new ByteArrayContent(body);
                if (request.ContentType is { } type)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }
            }

            switch (request.Credential)
            {
                case Credential.Writer: message.Headers.Add("X-Api-Key", AppArguments.ApiKey); break;
                case Credential.Reader: message.Headers.Add("X-Api-Key", TestCredentials.ReaderKey); break;
                case Credential.WrongKey: message.Headers.Add("X-Api-Key", "wrong-key-0123456789"); break;
                case Credential.Garbage: message.Headers.TryAddWithoutValidation("Authorization", "Bearer not.a.token"); break;
            }

            if (request.LastEventId is { } lastEventId)
            {
                message.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
            }

            // The notification stream answers 200 and stays open: the status is the answer.
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
            Assert.True(
                DocumentedHttp.Contains(response.StatusCode) || (response.StatusCode == HttpStatusCode.TooManyRequests && StreamLimited(request)),
                $"{request} answered {(int)response.StatusCode}");
            // Kestrel refuses a request it cannot parse (a NUL in the path) before any middleware: 400, no body, and
            // the connection closed. Everything the app itself answers is a ProblemDetails.
            var refusedByKestrel = response.StatusCode == HttpStatusCode.BadRequest && response.Headers.ConnectionClose == true
                && response.Content.Headers.ContentLength == 0;
            if ((int)response.StatusCode >= 400 && request.Method != HttpMethod.Head && !refusedByKestrel)
            {
                Assert.True(
                    response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                    $"{request} answered {(int)response.StatusCode} as {response.Content.Headers.ContentType}, not a ProblemDetails");
            }
        }, iter: HttpRequests, threads: 4, print: request => request.ToString());

        output.WriteLine(string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair => $"{(int)pair.Key}: {pair.Value}")));
        Assert.Equal(HttpRequests, statuses.Values.Sum());
        // The run reached the handlers, not only the doors: bad input, unknown tasks, created tasks.
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 0 && statuses.GetValueOrDefault(HttpStatusCode.NotFound) > 0);

        var after = await SnapshotAsync();
        var created = statuses.GetValueOrDefault(HttpStatusCode.Created);
        Assert.Equal(before.Rows + created, after.Rows);
        Assert.Equal(before.Done, after.Done.Where(pair => before.Done.ContainsKey(pair.Key)).ToDictionary());
        await AssertHealthyWithoutErrorsAsync();
    }

    [Fact]
    public async Task RandomAndMutatedSubmitMessagesAreRefusedPreciselyAndClaimNothing()
    {
        var before = await SnapshotAsync();
        var statuses = new ConcurrentDictionary<StatusCode, int>();
        using var channel = app.App.CreateConsumerChannel(0);
        var valid = new SubmitRequest();
        valid.Tasks.AddRange(Enumerable.Range(0, 5).Select(i => new TaskItem { Id = TaskRows.ToBytes(Guid.CreateVersion7()), Type = i, Value = i * 10 }));
        var template = valid.ToByteArray();

        var bodies = Gen.OneOf(
            Gen.Byte.Array[0, 300],
            Gen.Select(Gen.Int[0, template.Length - 1], Gen.Byte, (at, value) =>
            {
                var mutated = (byte[])template.Clone();
                mutated[at] = value;
                return mutated;
            }),
            Gen.Int[0, template.Length - 1].Select(length => template[..length]));

        await bodies.SampleAsync(async body =>
        {
            try
            {
                var reply = await SubmitAuthenticationTests.SendRawAsync(channel, body);
                statuses.AddOrUpdate(StatusCode.OK, 1, (_, count) => count + 1);
                // Random ids are in no table: a request that parses can only claim nothing.
                Assert.Equal(0, SubmitReply.Parser.ParseFrom(reply).Accepted);
            }
            catch (RpcException error)
            {
                statuses.AddOrUpdate(error.StatusCode, 1, (_, count) => count + 1);
                Assert.True(error.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound, $"{Convert.ToHexString(body)} answered {error.Status}");
            }
        }, iter: SubmitCalls, threads: 4, print: Convert.ToHexString);

        output.WriteLine(string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}: {pair.Value}")));
        Assert.True(statuses.GetValueOrDefault(StatusCode.InvalidArgument) > 0);
        var after = await SnapshotAsync();
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.Done, after.Done);
        Assert.Equal(0, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'processing'", CancellationToken.None));
        await AssertHealthyWithoutErrorsAsync();
    }

    private async Task AssertHealthyWithoutErrorsAsync()
    {
        foreach (var service in (string[])["producer", "consumer"])
        {
            using var management = app.App.CreateHttpClient(service, "management");
            Assert.Equal("Healthy", await management.GetStringAsync(new Uri("/health", UriKind.Relative)));
            var errors = app.App.GetLogs(service).Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"{service} logged errors: {string.Join('\n', errors)}");
        }
    }

    /// <summary>How many rows, and every finished task's state and attempts (nothing may change a done task).</summary>
    private async Task<(long Rows, Dictionary<Guid, string> Done)> SnapshotAsync()
    {
        await app.Audit.WaitForStatesAsync(
            counts => counts.GetValueOrDefault("received") == 0 && counts.GetValueOrDefault("processing") == 0, TimeSpan.FromSeconds(60), CancellationToken.None);
        var rows = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);
        var done = await app.Audit.RowsAsync("SELECT id, attempts::text || '@' || coalesce(done_at::text, '') FROM tasks WHERE state = 'done'", CancellationToken.None);
        return (rows, done);
    }
}
