using System.Net;
using Npgsql;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>GET /api/notifications: Server-Sent Events of terminal state changes, live and replayed.</summary>
[Collection(ApiTests.Name)]
public sealed class NotificationTests(TaskApiFixture app)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    private Uri Api => app.App.GetEndpoint("producer");

    /// <summary>The API's cancel statement, in a transaction the test controls.</summary>
    private static async Task CancelInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE tasks SET state = 'canceled', done_at = now(), updated_at = now(), event_seq = nextval('task_event_seq')
            WHERE id = $1 AND state::text IN ('received', 'processing')
            RETURNING pg_notify('task_canceled', id::text)
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A task a Consumer is working on, for about 50 s.</summary>
    private async Task<Guid> RunningTaskAsync()
    {
        var id = (await app.CreateTaskAsync(4, 99)).GetProperty("id").GetGuid();
        await app.WaitForStateAsync(id, "processing");
        return id;
    }

    [Fact]
    public async Task StreamDeliversACompletedEventForEachCreatedTask()
    {
        await using var stream = await SseStream.OpenAsync(Api, "?type=completed");
        var created = new HashSet<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await app.CreateTaskAsync(i, 0)).GetProperty("id").GetGuid());
        }

        var events = await stream.ReadUntilAsync(received => created.IsSubsetOf(received.Select(e => e.TaskId)), EventTimeout);

        Assert.All(events, e => Assert.Equal("completed", e.Name));
        Assert.All(events, e => Assert.Equal("done", e.State));
        // Event ids rise: they are the order in which tasks ended.
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        var mine = events.Where(e => created.Contains(e.TaskId)).ToList();
        Assert.Equal(5, mine.Count);
        Assert.All(mine, e => Assert.Equal(0, e.Data.GetProperty("value").GetInt32()));
    }

    [Fact]
    public async Task ReconnectingWithLastEventIdReplaysEveryEventMissedMeanwhile()
    {
        long lastSeen;
        Guid first;
        await using (var stream = await SseStream.OpenAsync(Api, string.Empty))
        {
            first = (await app.CreateTaskAsync(7, 0)).GetProperty("id").GetGuid();
            var events = await stream.ReadUntilAsync(received => received.Any(e => e.TaskId == first), EventTimeout);
            lastSeen = events.Single(e => e.TaskId == first).Id;
        }

        // Disconnected: these end while nobody listens.
        var missed = new HashSet<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = (await app.CreateTaskAsync(7, 0)).GetProperty("id").GetGuid();
            missed.Add(id);
            await app.WaitForStateAsync(id, "done");
        }

        await using var resumed = await SseStream.OpenAsync(Api, string.Empty, lastSeen);
        var replayed = await resumed.ReadUntilAsync(received => missed.IsSubsetOf(received.Select(e => e.TaskId)), EventTimeout);

        Assert.DoesNotContain(replayed, e => e.TaskId == first);
        Assert.All(replayed, e => Assert.True(e.Id > lastSeen, $"event {e.Id} is not after Last-Event-ID {lastSeen}"));
        Assert.All(replayed.Where(e => missed.Contains(e.TaskId)), e => Assert.Equal("completed", e.Name));
    }

    [Fact]
    public async Task FilteredStreamCarriesOnlyItsKindOfEvent()
    {
        await using var canceledOnly = await SseStream.OpenAsync(Api, "?type=canceled");
        var done = (await app.CreateTaskAsync(5, 0)).GetProperty("id").GetGuid();
        await app.WaitForStateAsync(done, "done");
        var running = (await app.CreateTaskAsync(5, 99)).GetProperty("id").GetGuid();
        using (var cancel = await app.Api.PostAsync(new Uri($"/api/tasks/{running}/cancel", UriKind.Relative), null))
        {
            cancel.EnsureSuccessStatusCode();
        }

        var events = await canceledOnly.ReadUntilAsync(received => received.Any(e => e.TaskId == running), EventTimeout);

        Assert.All(events, e => Assert.Equal("canceled", e.Name));
        Assert.DoesNotContain(events, e => e.TaskId == done);
    }

    /// <summary>
    /// Event numbers are drawn when a statement runs but seen when its transaction commits. A number drawn early and
    /// committed late must come out before the later ones (else a client resuming from a later id would never get it),
    /// and a number that is never committed must not hold the stream up.
    /// </summary>
    [Fact]
    public async Task AnEventCommittedLateComesOutInOrderAndARolledBackNumberDoesNotStallTheStream()
    {
        await using var stream = await SseStream.OpenAsync(Api, string.Empty);
        var slow = await RunningTaskAsync();
        await using var database = NpgsqlDataSource.Create(app.App.ConnectionString);

        await using (var connection = await database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await CancelInTransactionAsync(connection, transaction, slow);
            var quick = (await app.CreateTaskAsync(4, 0)).GetProperty("id").GetGuid();
            await app.WaitForStateAsync(quick, "done");

            // Committed after the slow cancel drew its number: held back while that transaction is open.
            var early = await Assert.ThrowsAsync<TimeoutException>(() => stream.ReadUntilAsync(r => r.Any(e => e.TaskId == quick), TimeSpan.FromSeconds(2)));
            Assert.Contains("received: ", early.Message, StringComparison.Ordinal);

            await transaction.CommitAsync();
            var events = await stream.ReadUntilAsync(r => r.Any(e => e.TaskId == quick), EventTimeout);
            var slowEvent = Assert.Single(events, e => e.TaskId == slow);
            Assert.Equal("canceled", slowEvent.Name);
            Assert.True(slowEvent.Id < events.Single(e => e.TaskId == quick).Id);
            Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
        }

        var unlucky = await RunningTaskAsync();
        await using (var connection = await database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await CancelInTransactionAsync(connection, transaction, unlucky);
            await transaction.RollbackAsync();
        }

        var after = (await app.CreateTaskAsync(4, 0)).GetProperty("id").GetGuid();
        var later = await stream.ReadUntilAsync(r => r.Any(e => e.TaskId == after), TimeSpan.FromSeconds(8));
        Assert.DoesNotContain(later, e => e.TaskId == unlucky);
        using var cancel = await app.Api.PostAsync(new Uri($"/api/tasks/{unlucky}/cancel", UriKind.Relative), null);
        cancel.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task StreamWithAnUnknownTypeOrMalformedLastEventIdIs400()
    {
        using var badType = await app.Api.GetAsync(new Uri("/api/notifications?type=everything", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badType.StatusCode);
        Assert.Contains("\"type\"", await badType.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/notifications", UriKind.Relative));
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var badId = await app.Api.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("Last-Event-ID", await badId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Notifications:MaxStreamsPerPrincipal (default 4) is per principal, and a closed stream gives its slot back.</summary>
    [Fact]
    public async Task APrincipalBeyondItsStreamLimitGets429WhileAnotherIsServedAndAClosedStreamFreesItsSlot()
    {
        const int Limit = 4;
        var streams = new List<SseStream>();
        try
        {
            // Streams of earlier tests may still be closing on the server: their slots come back within moments.
            for (var i = 0; i < Limit; i++)
            {
                streams.Add(await OpenWhenFreeAsync(AppArguments.ApiKey));
            }

            using var client = new HttpClient { BaseAddress = Api };
            using (var refused = await client.SendAsync(SseStream.Request(string.Empty), HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to retry");
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.Contains("MaxStreamsPerPrincipal", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Another principal is not held back by the first one's streams, and gets live events.
            await using (var other = await SseStream.OpenAsync(Api, string.Empty, apiKey: TestCredentials.ReaderKey))
            {
                var id = (await app.CreateTaskAsync(3, 0)).GetProperty("id").GetGuid();
                await other.ReadUntilAsync(received => received.Any(e => e.Name != "skipped" && e.TaskId == id), EventTimeout);
            }

            await streams[0].DisposeAsync();
            streams.RemoveAt(0);
            streams.Add(await OpenWhenFreeAsync(AppArguments.ApiKey));

            var rejected = await ApiAppFixture.SettleAsync(
                async () => PrometheusText.SumBy(await app.ScrapeAsync("producer"), "taskpipeline_producer_api_requests_rejected_total", "reason").GetValueOrDefault("stream_limited"),
                count => count >= 1);
            Assert.True(rejected >= 1, $"the refused stream is counted as stream_limited (was {rejected})");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>A Last-Event-ID further back than Notifications:MaxReplay (5 here) replays only the newest five numbers, after a skipped event.</summary>
    [Fact]
    public async Task AReplayFromTheBeginningIsCutToMaxReplayAfterASkippedEvent()
    {
        var created = new List<Guid>();
        for (var i = 0; i < TaskApiFixture.MaxReplay + 3; i++)
        {
            created.Add((await app.CreateTaskAsync(6, 0)).GetProperty("id").GetGuid());
        }

        foreach (var id in created)
        {
            await app.WaitForStateAsync(id, "done");
        }

        var newest = await app.Audit.ScalarAsync("SELECT max(event_seq) FROM tasks", CancellationToken.None);
        var newestTask = created.Last();

        // The replay is counted back from the newest event the Producer has relayed, which trails the table by up to
        // its poll interval while no stream is open: until it has the newest, the cut is a little further back.
        List<SseEvent> events;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            await using var stream = await SseStream.OpenAsync(Api, string.Empty, lastEventId: 0);
            events = await stream.ReadUntilAsync(received => received.Any(e => e.Name != "skipped" && e.Id >= newest), EventTimeout);
            if (events[0].Id >= newest - TaskApiFixture.MaxReplay || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        var skipped = events[0];
        Assert.Equal("skipped", skipped.Name);
        Assert.Equal(1, skipped.Data.GetProperty("from").GetInt64());
        Assert.Equal("max_replay", skipped.Data.GetProperty("reason").GetString());
        var to = skipped.Data.GetProperty("to").GetInt64();
        Assert.Equal(to, skipped.Id);
        Assert.Equal(newest - TaskApiFixture.MaxReplay, to);
        var replayed = events.Skip(1).ToList();
        Assert.DoesNotContain(replayed, e => e.Name == "skipped");
        Assert.All(replayed, e => Assert.True(e.Id > to, $"event {e.Id} is at or before the skipped range's end {to}"));
        Assert.InRange(replayed.Count(e => e.Id <= newest), 1, TaskApiFixture.MaxReplay);
        Assert.Contains(replayed, e => e.TaskId == newestTask);
    }

    /// <summary>Finished tasks are deleted after an age (retention): a Last-Event-ID below the oldest kept event is told so.</summary>
    [Fact]
    public async Task AReplayFromBeforeTheOldestKeptEventStartsThereAfterASkippedEvent()
    {
        var created = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = (await app.CreateTaskAsync(8, 0)).GetProperty("id").GetGuid();
            await app.WaitForStateAsync(id, "done");
            created.Add(id);
        }

        await using var database = NpgsqlDataSource.Create(app.App.ConnectionString);
        var first = await EventOfAsync(database, created[0]);
        var second = await EventOfAsync(database, created[1]);

        // What the retention job does: every finished task up to the second one's event is gone.
        await using (var delete = database.CreateCommand("DELETE FROM tasks WHERE event_seq < $1"))
        {
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = second });
            await delete.ExecuteNonQueryAsync();
        }

        var oldest = await app.Audit.ScalarAsync("SELECT min(event_seq) FROM tasks WHERE event_seq IS NOT NULL", CancellationToken.None);
        Assert.Equal(second, oldest);
        await using var stream = await SseStream.OpenAsync(Api, string.Empty, lastEventId: first - 1);
        var events = await stream.ReadUntilAsync(received => received.Any(e => e.Name != "skipped" && e.TaskId == created[2]), EventTimeout);

        var skipped = events[0];
        Assert.Equal("skipped", skipped.Name);
        Assert.Equal("retention", skipped.Data.GetProperty("reason").GetString());
        Assert.Equal(first, skipped.Data.GetProperty("from").GetInt64());
        Assert.Equal(oldest - 1, skipped.Data.GetProperty("to").GetInt64());
        Assert.Equal(created[1], events[1].TaskId);
        Assert.DoesNotContain(events.Skip(1), e => e.Name == "skipped" || e.TaskId == created[0]);
    }

    private static async Task<long> EventOfAsync(NpgsqlDataSource database, Guid id)
    {
        await using var command = database.CreateCommand("SELECT event_seq FROM tasks WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<SseStream> OpenWhenFreeAsync(string apiKey)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await SseStream.TryOpenAsync(Api, string.Empty, null, apiKey, HttpStatusCode.TooManyRequests) is { } stream)
            {
                return stream;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return await SseStream.OpenAsync(Api, string.Empty, apiKey: apiKey);
    }
}
