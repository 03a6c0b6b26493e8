using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

[Collection(FaultTests.Name)]
public sealed class ProducerCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KilledProducerRestartsAndItsStoredTasksAreSentFromTheOutbox()
    {
        const int AfterRestart = 500;
        await using var scenario = FaultScenario.Create("kill-producer", tasks: 100_000, rate: 1000);
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.Values.Sum() >= 1500);

        // The process that comes back makes a known number more.
        scenario.App.Override("producer", "Producer:MaxTasks", AfterRestart);
        var killedPid = scenario.App.ProcessId("producer", 0);
        scenario.App.KillReplica("producer", 0);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await scenario.App.WaitForStoppedAsync("producer", 0, patience.Token);
        // Nothing restarts it until the Start command: what is stored now is all the dead process stored.
        var storedBeforeCrash = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);
        var unsentAtCrash = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'received'", CancellationToken.None);
        output.WriteLine($"killed the producer: {storedBeforeCrash} stored, {unsentAtCrash} still received");
        await scenario.App.StartReplicaAsync("producer", 0, patience.Token);
        Assert.NotEqual(killedPid, scenario.App.ProcessId("producer", 0));

        var audit = await scenario.QuiesceAndAuditAsync(storedBeforeCrash + AfterRestart);
        output.WriteLine(audit.ToString());

        Assert.Equal(storedBeforeCrash + AfterRestart, audit.Done);
        var produced = (await scenario.ScrapeAsync("producer", 0))
            .Where(s => s.Name == "taskpipeline_producer_tasks_produced_total").Sum(s => s.Value);
        Assert.Equal(AfterRestart, produced);
    }

    [Fact]
    public async Task KilledProducerWithScheduledTasksPendingRunsEachOnceWhenDueAfterItsRestart()
    {
        const int Scheduled = 300;
        await using var scenario = FaultScenario.Create("kill-producer-scheduled", tasks: 1, rate: 1);
        // The test creates its tasks faster than the API's per-client rate limit lets one client.
        scenario.Options.Set("producer", "RateLimit:RequestsPerSecond", "10000").Set("producer", "RateLimit:Burst", "10000");
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") == 1);

        // Due from 4 s to 10 s ahead: some fall due while the Producer is down, the rest after it is back.
        var first = DateTimeOffset.UtcNow.AddSeconds(4);
        using (var api = scenario.App.CreateHttpClient("producer"))
        {
            for (var i = 0; i < Scheduled; i++)
            {
                var runAt = first.AddMilliseconds(i * 20).ToString("O", CultureInfo.InvariantCulture);
                using var created = await api.PostAsJsonAsync("/api/tasks", new { type = i % 10, value = 0, runAt });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }
        }

        // An idempotent create before the crash: its key lives in the database, not in the process.
        const string Key = "before-the-crash";
        var keyed = await CreateWithKeyAsync(scenario, Key, HttpStatusCode.Created);

        scenario.App.KillReplica("producer", 0);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await scenario.App.WaitForStoppedAsync("producer", 0, patience.Token);
        var waitingAtCrash = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'scheduled'", CancellationToken.None);
        output.WriteLine($"killed the producer with {waitingAtCrash} of {Scheduled} tasks still scheduled");
        Assert.True(waitingAtCrash > Scheduled / 2, $"only {waitingAtCrash} were still scheduled at the crash");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(waitingAtCrash, await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'scheduled'", CancellationToken.None));
        await scenario.App.StartReplicaAsync("producer", 0, patience.Token);

        // The restarted Producer answers the same key with the first answer's task.
        Assert.Equal(keyed, await CreateWithKeyAsync(scenario, Key, HttpStatusCode.OK));

        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("scheduled") == 0);
        // Each Producer process generates its one task (Producer:MaxTasks): the first, and the one that came back; and
        // the one created under the key.
        var audit = await scenario.QuiesceAndAuditAsync(Scheduled + 3);
        output.WriteLine(audit.ToString());

        Assert.Equal(Scheduled + 3, audit.Done);
        Assert.Equal(0, audit.Retried);
        // Each ran once, and none before it was due.
        Assert.Equal(0, await scenario.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE run_at IS NOT NULL AND (attempts <> 1 OR done_at < run_at)", CancellationToken.None));
        Assert.Equal(Scheduled, await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE run_at IS NOT NULL", CancellationToken.None));
    }

    private static async Task<string> CreateWithKeyAsync(FaultScenario scenario, string key, HttpStatusCode expected)
    {
        using var api = scenario.App.CreateHttpClient("producer");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tasks", UriKind.Relative))
        {
            Content = JsonContent.Create(new { type = 1, value = 0 }),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await api.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
