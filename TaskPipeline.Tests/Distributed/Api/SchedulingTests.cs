using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>Delayed tasks (runAt, delay) through the API against the running app: scheduled until due, then run once.</summary>
[Collection(ApiTests.Name)]
public sealed class SchedulingTests(TaskApiFixture app)
{
    [Fact]
    public async Task ADelayedTaskIsScheduledUntilDueThenRunsOnceAndIsCounted()
    {
        var scheduledBefore = await CounterAsync("taskpipeline_producer_tasks_scheduled_total");
        var dueBefore = await CounterAsync("taskpipeline_producer_tasks_due_total");
        var before = DateTimeOffset.UtcNow;

        var created = await CreateAsync(new { type = 6, value = 0, delay = 3 });

        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("scheduled", created.GetProperty("state").GetString());
        var runAt = created.GetProperty("runAt").GetDateTimeOffset();
        Assert.InRange(runAt, before.AddSeconds(2), DateTimeOffset.UtcNow.AddSeconds(4));
        Assert.Equal("scheduled", (await app.GetTaskAsync(id)).GetProperty("state").GetString());

        var listed = await GetJsonAsync("/api/tasks?state=scheduled&limit=1000");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetGuid() == id);
        var stats = await GetJsonAsync("/api/stats");
        Assert.True(stats.GetProperty("states").GetProperty("scheduled").GetInt64() >= 1);
        Assert.Equal(scheduledBefore + 1, await ApiAppFixture.SettleAsync(() => CounterAsync("taskpipeline_producer_tasks_scheduled_total"), value => value == scheduledBefore + 1));

        var done = await app.WaitForStateAsync(id, "done");
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        Assert.Equal(runAt, done.GetProperty("runAt").GetDateTimeOffset());
        // Not before it was due.
        Assert.True(done.GetProperty("finishedAt").GetDateTimeOffset() >= runAt, $"finished before due: {done}");
        Assert.True(await ApiAppFixture.SettleAsync(() => CounterAsync("taskpipeline_producer_tasks_due_total"), value => value >= dueBefore + 1) >= dueBefore + 1);
    }

    [Fact]
    public async Task RunAtKeepsTheInstantWhateverItsOffset()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(2).ToOffset(TimeSpan.FromHours(-5));
        var text = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

        var created = await CreateAsync(new { type = 6, value = 0, runAt = text });

        Assert.Equal("scheduled", created.GetProperty("state").GetString());
        Assert.Equal(at.UtcTicks / TimeSpan.TicksPerMillisecond, created.GetProperty("runAt").GetDateTimeOffset().UtcTicks / TimeSpan.TicksPerMillisecond);
        var done = await app.WaitForStateAsync(created.GetProperty("id").GetGuid(), "done");
        Assert.True(done.GetProperty("finishedAt").GetDateTimeOffset() >= at);
    }

    [Fact]
    public async Task AScheduledTaskCanBeCanceledAndThenNeverRuns()
    {
        var created = await CreateAsync(new { type = 6, value = 0, delay = "PT2S" });
        var id = created.GetProperty("id").GetGuid();

        using var cancel = await app.Api.PostAsync(new Uri($"/api/tasks/{id}/cancel", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        await Task.Delay(TimeSpan.FromSeconds(3));
        var task = await app.GetTaskAsync(id);
        Assert.Equal("canceled", task.GetProperty("state").GetString());
        Assert.Equal(0, task.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task TasksDueTogetherAllRunOnceAndNoneBeforeItsTime()
    {
        // Many due in the same second: the scheduler takes them in batches, each made received once.
        var runAt = DateTimeOffset.UtcNow.AddSeconds(3).ToString("O", CultureInfo.InvariantCulture);
        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add((await CreateAsync(new { type = 7, value = 0, runAt })).GetProperty("id").GetGuid());
        }

        foreach (var id in ids)
        {
            await app.WaitForStateAsync(id, "done");
        }

        var idList = string.Join(",", ids.Select(id => $"'{id}'"));
        Assert.Equal(0, await app.Audit.ScalarAsync($"SELECT count(*) FROM tasks WHERE id IN ({idList}) AND (attempts <> 1 OR done_at < run_at)", CancellationToken.None));
        // Found when due, not by a later poll: every one finished within seconds of its time (value 0 runs at once).
        Assert.Equal(0, await app.Audit.ScalarAsync($"SELECT count(*) FROM tasks WHERE id IN ({idList}) AND done_at > run_at + interval '5 seconds'", CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"type": 1, "value": 5, "runAt": "2020-01-01T00:00:00Z"}""", "runAt", "in the future")]
    [InlineData("""{"type": 1, "value": 5, "runAt": "2030-01-01T00:00:00"}""", "runAt", "RFC 3339")]
    [InlineData("""{"type": 1, "value": 5, "runAt": 1767225600}""", "runAt", "RFC 3339")]
    [InlineData("""{"type": 1, "value": 5, "runAt": "2999-01-01T00:00:00Z"}""", "runAt", "365 days")]
    [InlineData("""{"type": 1, "value": 5, "delay": 0}""", "delay", "more than 0")]
    [InlineData("""{"type": 1, "value": 5, "delay": "P1M"}""", "delay", "months")]
    [InlineData("""{"type": 1, "value": 5, "delay": 5, "runAt": "2030-01-01T00:00:00Z"}""", "delay", "not both")]
    public async Task ABadDueTimeIs400NamingTheFieldAndStoresNothing(string body, string field, string rule)
    {
        var before = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);
        using var response = await app.Api.PostAsync(
            new Uri("/api/tasks", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = Assert.Single(problem.GetProperty("errors").GetProperty(field).EnumerateArray()).GetString();
        Assert.Contains(rule.Replace("not both", "one of them", StringComparison.Ordinal), message, StringComparison.Ordinal);
        Assert.Equal(before, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None));
    }

    private async Task<JsonElement> CreateAsync(object body)
    {
        using var response = await app.Api.PostAsJsonAsync("/api/tasks", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await app.Api.GetAsync(new Uri(path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<double> CounterAsync(string name) =>
        (await app.ScrapeAsync("producer")).Where(sample => sample.Name == name).Sum(sample => sample.Value);
}
