using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>POST /api/tasks/retry works in bounded batches: a call requeues at most its limit and says whether more are left.</summary>
[Collection(ApiTests.Name)]
public sealed class RetryManyTests(TaskApiFixture app)
{
    [Fact]
    public async Task ACallRequeuesAtMostItsLimitAndSaysWhenMoreAreLeft()
    {
        // Canceled tasks of type 9 and value 0 (instant work), made finished by hand with the API's own columns.
        var ids = await app.Audit.RowsAsync(
            """
            INSERT INTO tasks (id, type, value, state, done_at, event_seq)
            SELECT uuidv7, 9, 0, 'canceled', now(), nextval('task_event_seq')
            FROM (SELECT gen_random_uuid() AS uuidv7 FROM generate_series(1, 3)) AS fresh
            RETURNING id, state::text
            """,
            CancellationToken.None);
        var canceled = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'canceled' AND type = 9", CancellationToken.None);
        Assert.True(canceled >= 3);

        var first = await RetryAsync($"/api/tasks/retry?state=canceled&type=9&limit={canceled - 1}");
        Assert.Equal(canceled - 1, first.GetProperty("requeued").GetInt64());
        Assert.True(first.GetProperty("more").GetBoolean());

        var rest = await RetryAsync($"/api/tasks/retry?state=canceled&type=9&limit={canceled}");
        Assert.Equal(1, rest.GetProperty("requeued").GetInt64());
        Assert.False(rest.GetProperty("more").GetBoolean());

        Assert.Equal(0, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'canceled' AND type = 9", CancellationToken.None));
        await Task.WhenAll(ids.Keys.Select(id => app.WaitForStateAsync(id, "done")));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=100001")]
    [InlineData("limit=many")]
    public async Task ALimitOutsideOneToOneHundredThousandIsRefusedAndChangesNothing(string query)
    {
        using var response = await app.Api.PostAsync(new Uri($"/api/tasks/retry?state=canceled&{query}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
    }

    private async Task<JsonElement> RetryAsync(string path)
    {
        using var response = await app.Api.PostAsync(new Uri(path, UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
