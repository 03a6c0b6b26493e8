using Npgsql;

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
}
