using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskPipeline.Tests.Support;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Dispatch;

/// <summary>
/// Under a backlog (a Consumer rate-limited below what is asked of it) higher priorities are dispatched and claimed
/// first, and the oldest waiting task still gets its share: the README's bound, one task in ten.
/// </summary>
[Collection(PriorityTestGroup.Name)]
public sealed class PriorityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnderABacklogUrgentTasksCreatedLaterAreClaimedBeforeOlderLowOnes()
    {
        await using var app = await StartAsync("priority-order", rateLimit: 20, generatedRate: 1, maxTasks: 1, weights: null);
        using var api = app.Pipeline.CreateHttpClient("producer");

        for (var i = 0; i < 100; i++)
        {
            await CreateAsync(api, priority: 0);
        }

        for (var i = 0; i < 20; i++)
        {
            await CreateAsync(api, priority: 9);
        }

        await app.Audit.WaitForStatesAsync(c => c.GetValueOrDefault("done") == 121, TimeSpan.FromSeconds(60), CancellationToken.None);

        // The order in which they were claimed (and, with no work to do, done). Of the tasks still waiting when the
        // urgent ones came, the urgent ones went first: on average earlier, and the last of them before the last low one.
        const string UrgentCame = "(SELECT min(created_at) FROM tasks WHERE priority = 9)";
        var lowAfterLastUrgent = await app.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE priority = 0 AND done_at > (SELECT max(done_at) FROM tasks WHERE priority = 9)", CancellationToken.None);
        var lowWaiting = await app.Audit.ScalarAsync($"SELECT count(*) FROM tasks WHERE priority = 0 AND done_at > {UrgentCame}", CancellationToken.None);
        var urgentFirst = await app.Audit.ScalarAsync(
            $"""
            SELECT (avg(extract(epoch FROM done_at)) FILTER (WHERE priority = 9)
                    < avg(extract(epoch FROM done_at)) FILTER (WHERE priority = 0 AND done_at > {UrgentCame}))::int
            FROM tasks
            """,
            CancellationToken.None);
        output.WriteLine($"of 100 low tasks, {lowWaiting} were still waiting when the urgent ones came; {lowAfterLastUrgent} were done after the last urgent one");
        Assert.Equal(1, urgentFirst);
        Assert.True(lowAfterLastUrgent > 0, "the low tasks still waiting all went before the last urgent one");
    }

    [Fact]
    public async Task UnderAFloodOfUrgentTasksTheLowestPriorityStillGetsATenthOfDispatch()
    {
        // The generator asks for 600 urgent tasks a second of a Consumer that takes 200.
        await using var app = await StartAsync("priority-share", rateLimit: 200, generatedRate: 600, maxTasks: 100_000, weights: "9=1");
        using var api = app.Pipeline.CreateHttpClient("producer");
        await app.Audit.WaitForStatesAsync(c => c.GetValueOrDefault("done") >= 1000, TimeSpan.FromSeconds(60), CancellationToken.None);

        for (var i = 0; i < 100; i++)
        {
            await CreateAsync(api, priority: 0);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE priority = 0 AND state = 'done'", CancellationToken.None) < 100)
        {
            Assert.True(DateTime.UtcNow < deadline, "the low tasks starved: not all done within 60 s");
            await Task.Delay(200);
        }

        // The bound: every task older than a low one goes first in any case (the urgent backlog made before them);
        // past those, the oldest waiting task gets one dispatch in ten. So all 100 low tasks are done within the older
        // tasks plus ten dispatches for each of them (and a little for the batches in flight at each moment).
        const string FirstLowCreated = "(SELECT min(created_at) FROM tasks WHERE priority = 0)";
        var older = await app.Audit.ScalarAsync(
            $"SELECT count(*) FROM tasks WHERE priority = 9 AND created_at < {FirstLowCreated} AND done_at > {FirstLowCreated}", CancellationToken.None);
        var window = await app.Audit.ScalarAsync(
            $"SELECT count(*) FROM tasks WHERE done_at BETWEEN {FirstLowCreated} AND (SELECT max(done_at) FROM tasks WHERE priority = 0)", CancellationToken.None);
        var urgentWaiting = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE priority = 9 AND state = 'received'", CancellationToken.None);
        output.WriteLine($"100 low tasks created behind {older} older urgent ones were all done within {window} dispatched tasks (bound {older + 1000}); urgent tasks still waiting at the end: {urgentWaiting}");

        // The urgent backlog never emptied, so it was the share that let the low tasks through.
        Assert.True(urgentWaiting > 0, "the urgent backlog emptied: the test measured no contention");
        Assert.True(window <= older + 1000 + 200, $"the low tasks took {window} dispatches, more than {older} older tasks plus ten per low task");
    }

    private static async Task CreateAsync(HttpClient api, int priority)
    {
        using var response = await api.PostAsJsonAsync("/api/tasks", new { type = 1, value = 0, priority });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var task = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(priority, task.GetProperty("priority").GetInt32());
    }

    private static async Task<PriorityApp> StartAsync(string name, int rateLimit, int generatedRate, int maxTasks, string? weights)
    {
        var arguments = new AppArguments { ConsumerReplicas = 1 }
            .Set("consumer", "Consumer:RateLimit", rateLimit.ToString(CultureInfo.InvariantCulture))
            .Set("consumer", "Consumer:DelayPerValue", "00:00:00")
            .Set("producer", "Producer:Rate", generatedRate.ToString(CultureInfo.InvariantCulture))
            .Set("producer", "Producer:MaxTasks", maxTasks.ToString(CultureInfo.InvariantCulture))
            .Set("producer", "Producer:MaxBacklog", "2000")
            .Set("producer", "RateLimit:RequestsPerSecond", "10000")
            .Set("producer", "RateLimit:Burst", "10000");
        if (weights is not null)
        {
            arguments.Set("producer", "Producer:PriorityWeights", weights);
        }

        var directory = TestDirectories.Create(name);
        var pipeline = await DistributedPipeline.StartAsync(arguments, directory);
        return new PriorityApp(pipeline, new TaskAudit(pipeline.ConnectionString), directory);
    }

    private sealed record PriorityApp(DistributedPipeline Pipeline, TaskAudit Audit, string Directory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Audit.DisposeAsync();
            await Pipeline.DisposeAsync();
            TestDirectories.Delete(Directory);
        }
    }
}
