using System.Net.Http.Json;
using System.Text.Json;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>Consumer:FailureRate=0.3: retries, the dead letter, and metrics that agree with the table.</summary>
[Collection(ApiTests.Name)]
public sealed class FailureRateTests(FailureRateFixture app) : IClassFixture<FailureRateFixture>
{
    private static readonly string[] Outcomes = ["done", "failed"];

    [Fact]
    public async Task EveryTaskEndsDoneOrFailedAndTheCountsMatchTheMetrics()
    {
        var counts = await app.Audit.WaitForStatesAsync(
            c => c.Values.Sum() == FailureRateFixture.Tasks && c.GetValueOrDefault("received") == 0 && c.GetValueOrDefault("processing") == 0,
            ApiAppFixture.Patience,
            CancellationToken.None);

        Assert.All(counts.Keys, state => Assert.Contains(state, Outcomes));
        Assert.True(counts.GetValueOrDefault("done") > 0 && counts.GetValueOrDefault("failed") > 0, $"expected both outcomes: {string.Join(", ", counts)}");

        // Dead-lettered per type = failed rows per type; done per type = done rows per type.
        var failedRows = await app.RowsByTypeAsync("failed");
        var doneRows = await app.RowsByTypeAsync("done");
        Assert.Equal(failedRows, await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_dead_lettered_total"), metric => SameCounts(metric, failedRows)));
        Assert.Equal(doneRows, await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_done_total"), metric => SameCounts(metric, doneRows)));

        // Every attempt but the successful last one of a done task failed.
        var attempts = await app.Audit.ScalarAsync("SELECT sum(attempts) FROM tasks", CancellationToken.None);
        var failedAttempts = await ApiAppFixture.SettleAsync(
            async () => (await app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_failed_attempts_total")).Values.Sum(),
            sum => sum == attempts - counts["done"]);
        Assert.Equal(attempts - counts["done"], failedAttempts);
        Assert.Equal(0, await app.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE state = 'failed' AND (attempts <> $1 OR last_error IS NULL)", CancellationToken.None, FailureRateFixture.MaxAttempts));

        var stats = await app.Api.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));
        Assert.Equal(counts["done"], stats.GetProperty("states").GetProperty("done").GetInt64());
        Assert.Equal(counts["failed"], stats.GetProperty("states").GetProperty("failed").GetInt64());
    }

    private static bool SameCounts(Dictionary<string, double> metric, Dictionary<string, double> rows) =>
        metric.Count == rows.Count && metric.All(pair => rows.GetValueOrDefault(pair.Key) == pair.Value);
}
