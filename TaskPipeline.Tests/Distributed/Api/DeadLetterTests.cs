using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>Consumer:FailureRate=1: the dead letter, as the table, the metrics and the API show it, and leaving it.</summary>
[Collection(ApiTests.Name)]
public sealed class DeadLetterTests(DeadLetterFixture app) : IClassFixture<DeadLetterFixture>
{
    private const int Tasks = DeadLetterFixture.Tasks;
    private const int MaxAttempts = DeadLetterFixture.MaxAttempts;

    /// <summary>
    /// One test, in phases, because each phase changes what the next one counts: all tasks dead-lettered after exactly
    /// MaxAttempts attempts, then one retried on its own, then the rest retried in bulk; each time they fail again.
    /// </summary>
    [Fact]
    public async Task EveryTaskIsDeadLetteredAfterExactlyMaxAttemptsAndRetriesRunItAgain()
    {
        await WaitAllFailedAsync();
        Assert.Equal(Tasks, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE attempts = $1", CancellationToken.None, MaxAttempts));
        Assert.Equal(Tasks, await app.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE last_error = $1", CancellationToken.None, $"simulated failure (attempt {MaxAttempts})"));
        await AssertMetricsAsync(deadLetterings: Tasks);

        var failedPage = await app.Api.GetFromJsonAsync<JsonElement>(new Uri("/api/tasks?state=failed&limit=1000", UriKind.Relative));
        var failed = failedPage.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Tasks, failed.Count);
        Assert.All(failed, task =>
        {
            Assert.Equal(MaxAttempts, task.GetProperty("attempts").GetInt32());
            Assert.Equal($"simulated failure (attempt {MaxAttempts})", task.GetProperty("lastError").GetString());
        });
        var stats = await app.Api.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));
        Assert.Equal(Tasks, stats.GetProperty("states").GetProperty("failed").GetInt64());

        // One task out of the dead letter: back to received, attempts reset, and through all its attempts again.
        var one = failed[0].GetProperty("id").GetGuid();
        using (var retry = await app.Api.PostAsync(new Uri($"/api/tasks/{one}/retry", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            var requeued = await retry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("received", requeued.GetProperty("state").GetString());
            Assert.Equal(0, requeued.GetProperty("attempts").GetInt32());
            Assert.Equal(JsonValueKind.Null, requeued.GetProperty("lastError").ValueKind);
        }

        await app.WaitForStateAsync(one, "failed");
        Assert.Equal(MaxAttempts, (await app.GetTaskAsync(one)).GetProperty("attempts").GetInt32());
        await AssertMetricsAsync(deadLetterings: Tasks + 1);

        // All of them at once.
        using (var bulk = await app.Api.PostAsync(new Uri("/api/tasks/retry?state=failed", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
            Assert.Equal(Tasks, (await bulk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requeued").GetInt64());
        }

        await app.Audit.WaitForStatesAsync(counts => counts.GetValueOrDefault("failed") < Tasks, ApiAppFixture.Patience, CancellationToken.None);
        await WaitAllFailedAsync();
        Assert.Equal(Tasks, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE attempts = $1", CancellationToken.None, MaxAttempts));
        await AssertMetricsAsync(deadLetterings: (2 * Tasks) + 1);
    }

    private Task<Dictionary<string, long>> WaitAllFailedAsync() => app.Audit.WaitForStatesAsync(
        counts => counts.GetValueOrDefault("failed") == Tasks && counts.Values.Sum() == Tasks, ApiAppFixture.Patience, CancellationToken.None);

    /// <summary>
    /// Dead-lettered per type equals the failed rows per type times the rounds they went through; every attempt failed.
    /// </summary>
    private async Task AssertMetricsAsync(int deadLetterings)
    {
        var deadLettered = await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_dead_lettered_total"),
            metric => metric.Values.Sum() == deadLetterings);
        var failedAttempts = await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_failed_attempts_total"),
            metric => metric.Values.Sum() == deadLetterings * MaxAttempts);
        Assert.Equal(deadLetterings, deadLettered.Values.Sum());
        Assert.Equal(deadLetterings * MaxAttempts, failedAttempts.Values.Sum());
        if (deadLetterings == Tasks)
        {
            Assert.Equal(await app.RowsByTypeAsync("failed"), deadLettered);
        }

        Assert.Empty(await app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_done_total"));
    }
}
