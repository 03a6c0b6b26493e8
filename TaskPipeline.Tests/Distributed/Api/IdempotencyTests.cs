using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>Creates under an Idempotency-Key against the running app and its PostgreSQL.</summary>
[Collection(ApiTests.Name)]
public sealed class IdempotencyTests(TaskApiFixture app)
{
    [Fact]
    public async Task TheSameKeyAndBodyAnswer200WithTheFirstAnswerAndMakeNoSecondTask()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await PostAsync(key, """{"type": 2, "value": 0}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var original = await first.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(original).RootElement.GetProperty("id").GetGuid();
        await app.WaitForStateAsync(id, "done");

        // The same request, spelled differently: same fields, other order and spacing.
        using var repeat = await PostAsync(key, """ { "value":0,"type":2 } """);

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(original, await repeat.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.Audit.ScalarAsync("SELECT count(*) FROM task_idempotency_keys WHERE key = $1", CancellationToken.None, key));
        Assert.Equal(1, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE id = $1", CancellationToken.None, id));
    }

    [Fact]
    public async Task ARepeatOfADelayedCreateGetsTheFirstAnswerEvenOnceItsDueTimeHasPassed()
    {
        var key = Guid.NewGuid().ToString();
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        using var first = await PostAsync(key, $$"""{"type": 2, "value": 0, "runAt": "{{at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)}}"}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var original = await first.Content.ReadAsStringAsync();

        // The same instant with another offset is the same request; sent once it is due, it is not a past runAt (400).
        await Task.Delay(TimeSpan.FromSeconds(3));
        var sameInstant = at.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
        using var repeat = await PostAsync(key, $$"""{"value": 0, "runAt": "{{sameInstant}}", "type": 2}""");

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(original, await repeat.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheSameKeyWithAnotherBodyIs422NamingTheKeyAndItsTask()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await PostAsync(key, """{"type": 2, "value": 0, "delay": 3600}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var before = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);

        using var other = await PostAsync(key, """{"type": 2, "value": 1, "delay": 3600}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(key, problem.GetProperty("idempotencyKey").GetString());
        Assert.Equal(id, problem.GetProperty("taskId").GetGuid());
        Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None));
        await Cancel(id);
    }

    [Fact]
    public async Task FiftyConcurrentCreatesWithOneKeyMakeOneTask()
    {
        var key = Guid.NewGuid().ToString();
        var before = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await PostAsync(key, """{"type": 8, "value": 0, "delay": 3600}""");
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));

        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.Created);
        Assert.Equal(49, responses.Count(response => response.StatusCode == HttpStatusCode.OK));
        var ids = responses.Select(response => response.Body.GetProperty("id").GetGuid()).Distinct().ToList();
        var id = Assert.Single(ids);
        Assert.Equal(before + 1, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None));
        Assert.Equal(1, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE id = $1", CancellationToken.None, id));
        await Cancel(id);
    }

    [Fact]
    public async Task AnExpiredKeyNamesANewTask()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await PostAsync(key, """{"type": 2, "value": 0}""");
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await ExecuteAsync("UPDATE task_idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1", key);

        using var again = await PostAsync(key, """{"type": 2, "value": 1}""");

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.NotEqual(firstId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("has space")]
    public async Task AKeyThatIsNotVisibleAsciiIs400NamingTheHeader(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tasks", UriKind.Relative))
        {
            Content = new StringContent("""{"type": 2, "value": 0}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await app.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), problem.ToString());
    }

    [Fact]
    public async Task ALongKeyIs400()
    {
        using var response = await PostAsync(new string('k', 256), """{"type": 2, "value": 0}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CleanupDeletesExpiredKeysOldestFirstABatchAtATimeAndKeepsLiveOnes()
    {
        // In a transaction of the test's own, rolled back at the end: the app's retention (which deletes expired keys
        // too) cannot see these rows, so what is deleted here is this call's work alone.
        var prefix = $"cleanup-{Guid.NewGuid():N}-";
        await using var dataSource = NpgsqlDataSource.Create(app.App.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(
            connection,
            """
            INSERT INTO task_idempotency_keys (client, key, request_hash, task_id, response, expires_at)
            SELECT 'test', $1 || g, '\x00', gen_random_uuid(), '{}', now() - g * interval '1 minute' + CASE WHEN g > 25 THEN interval '1 day' ELSE interval '0' END
            FROM generate_series(1, 30) AS g
            """,
            prefix);
        var expiredBefore = await CountAsync(connection, "SELECT count(*) FROM task_idempotency_keys WHERE expires_at < now()", prefix);

        var deleted = await TaskRetention.DeleteExpiredBookkeepingAsync(connection, 10, CancellationToken.None);

        Assert.InRange(deleted, 10, 20);
        Assert.Equal(expiredBefore - 10, await CountAsync(connection, "SELECT count(*) FROM task_idempotency_keys WHERE expires_at < now()", prefix));
        // The oldest went first: the ten that expired longest ago (g = 16..25) are gone.
        Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM task_idempotency_keys WHERE key = ANY(SELECT $1 || g FROM generate_series(16, 25) AS g)", prefix));
        Assert.Equal(5, await CountAsync(connection, "SELECT count(*) FROM task_idempotency_keys WHERE key LIKE $1 || '%' AND expires_at > now()", prefix));
        await transaction.RollbackAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(parameter);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, string parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<HttpResponseMessage> PostAsync(string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tasks", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await app.Api.SendAsync(request);
    }

    private async Task Cancel(Guid id)
    {
        using var response = await app.Api.PostAsync(new Uri($"/api/tasks/{id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task ExecuteAsync(string sql, string parameter)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.App.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(parameter);
        await command.ExecuteNonQueryAsync();
    }
}
