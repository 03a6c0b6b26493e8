using System.Net.Http.Json;
using System.Text.Json;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>GET /api/stats/history: done and failed per second and per minute, from the database.</summary>
[Collection(ApiTests.Name)]
public sealed class ThroughputHistoryTests(TaskApiFixture app)
{
    [Fact]
    public async Task HistoryHasEverySecondAndMinuteAndCountsWhatTheTableRecords()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await app.CreateTaskAsync(3, 0)).GetProperty("id").GetGuid());
        }

        foreach (var id in ids)
        {
            await app.WaitForStateAsync(id, "done");
        }

        // The app started within the hour, so every task it finished is in the hour's minutes; the history counts
        // them whether their counter deltas are folded yet or not.
        var (history, expected) = await ApiAppFixture.SettleAsync(
            async () => (await HistoryAsync(), await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'done'", CancellationToken.None)),
            reading => Sum(reading.Item1, "perMinute", "done") == reading.Item2);

        var perSecond = history.GetProperty("perSecond").EnumerateArray().ToList();
        var perMinute = history.GetProperty("perMinute").EnumerateArray().ToList();
        Assert.Equal(300, perSecond.Count);
        Assert.Equal(60, perMinute.Count);
        Assert.All(perSecond.Zip(perSecond.Skip(1)), pair =>
            Assert.Equal(TimeSpan.FromSeconds(1), pair.Second.GetProperty("at").GetDateTimeOffset() - pair.First.GetProperty("at").GetDateTimeOffset()));
        Assert.All(perMinute.Zip(perMinute.Skip(1)), pair =>
            Assert.Equal(TimeSpan.FromMinutes(1), pair.Second.GetProperty("at").GetDateTimeOffset() - pair.First.GetProperty("at").GetDateTimeOffset()));
        Assert.Equal(expected, Sum(history, "perMinute", "done"));
        Assert.True(Sum(history, "perSecond", "done") >= ids.Count);
        Assert.Equal(
            await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'failed'", CancellationToken.None),
            Sum(history, "perMinute", "failed"));
    }

    private async Task<JsonElement> HistoryAsync()
    {
        using var response = await app.Api.GetAsync(new Uri("/api/stats/history", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static long Sum(JsonElement history, string series, string field) =>
        history.GetProperty(series).EnumerateArray().Sum(bucket => bucket.GetProperty(field).GetInt64());
}
