using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using TaskPipeline.Tests.Distributed.Api;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Retention;

public sealed class RetentionTests(RetentionFixture app) : IClassFixture<RetentionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task FinishedTasksAreDeletedAfterTheirRetentionAndTheAllTimeFiguresSurvive()
    {
        // Every task was made, finished, and deleted (in batches of 50): the table is empty, the counters say so.
        var stats = await ApiAppFixture.SettleAsync(
            StatsAsync,
            s => s.GetProperty("total").GetInt64() == 0
                && Removed(s, "done") + Removed(s, "failed") == RetentionFixture.Tasks,
            Patience);
        Assert.Equal(0, stats.GetProperty("total").GetInt64());
        Assert.Equal(RetentionFixture.Tasks, Removed(stats, "done") + Removed(stats, "failed"));
        Assert.Equal(0, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None));
        Assert.True(Removed(stats, "failed") > 0, "no task failed: the failed tasks' retention was not exercised");

        // The all-time figures are the Consumers' own counts of what they finished.
        var done = await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_done_total"),
            metric => metric.Values.Sum() == Removed(stats, "done"));
        var valueSums = await app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_value_sum_total");
        var deadLettered = (await app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_dead_lettered_total")).Values.Sum();
        Assert.Equal(Removed(stats, "done"), done.Values.Sum());
        Assert.Equal(Removed(stats, "failed"), deadLettered);
        foreach (var type in stats.GetProperty("doneByType").EnumerateArray())
        {
            var key = type.GetProperty("type").GetInt32().ToString(CultureInfo.InvariantCulture);
            Assert.Equal(done.GetValueOrDefault(key), type.GetProperty("count").GetInt64());
            Assert.Equal(valueSums.GetValueOrDefault(key), type.GetProperty("valueSum").GetInt64());
        }

        var deleted = PrometheusText.SumBy(await app.ScrapeAsync("producer"), "taskpipeline_producer_tasks_deleted_total", "task_state");
        Assert.Equal(Removed(stats, "done"), deleted.GetValueOrDefault("done"));
        Assert.Equal(Removed(stats, "failed"), deleted.GetValueOrDefault("failed"));
    }

    private async Task<JsonElement> StatsAsync() =>
        await app.Api.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));

    private static long Removed(JsonElement stats, string state) => stats.GetProperty("removed").GetProperty(state).GetInt64();
}
