using System.Diagnostics;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

[Collection(FaultTests.Name)]
public sealed class ConsumerCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KilledConsumerLosesNothingItsLeasedTasksAreRedoneOnce()
    {
        const int Tasks = 3000;
        await using var scenario = FaultScenario.Create("kill-consumer", Tasks, rate: 1000);
        // Slower work keeps many tasks in flight at the moment of the kill.
        scenario.Options.Set("consumer", "Consumer:DelayPerValue", "00:00:00.002");
        await scenario.StartAsync();

        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") >= 500);
        var inFlight = await scenario.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE state = 'processing' AND lease_owner = $1", CancellationToken.None, scenario.ConsumerOwner(1));
        var killedPid = scenario.App.ProcessId("consumer", 1);
        scenario.App.KillReplica("consumer", 1);
        output.WriteLine($"killed consumer-1 (pid {killedPid}) with {inFlight} task(s) in processing");

        // Aspire reports the crash; DCP does not restart a project by itself: the dashboard's Start command does.
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await scenario.App.WaitForStoppedAsync("consumer", 1, patience.Token);
            output.WriteLine($"Aspire reports consumer-1 {scenario.App.State("consumer", 1)}");
            await scenario.App.StartReplicaAsync("consumer", 1, patience.Token);
        }

        Assert.NotEqual(killedPid, scenario.App.ProcessId("consumer", 1));

        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());

        Assert.Equal(Tasks, audit.Done);
        var recovered = await scenario.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE last_error LIKE 'lease expired%'", CancellationToken.None);
        output.WriteLine($"{recovered} task(s) recovered from expired leases");
        Assert.True(inFlight == 0 || recovered > 0, "tasks of the killed consumer were not recovered through their leases");
    }

    [Fact]
    public async Task AllConsumersDownForTenSecondsThenBackLosesNothing()
    {
        const int Tasks = 4000;
        await using var scenario = FaultScenario.Create("consumers-down", Tasks, rate: 250);
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") >= 300);

        await Task.WhenAll(
            scenario.App.StopReplicaAsync("consumer", 0, CancellationToken.None),
            scenario.App.StopReplicaAsync("consumer", 1, CancellationToken.None));
        var stoppedAt = Stopwatch.StartNew();
        var stuck = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'processing'", CancellationToken.None);
        Assert.Equal(0, stuck);

        await Task.Delay(TimeSpan.FromSeconds(10) - stoppedAt.Elapsed);
        var waiting = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'received'", CancellationToken.None);
        var retries = (await scenario.ScrapeAsync("producer", 0))
            .Where(s => s.Name == "taskpipeline_producer_dispatch_retries_total").Sum(s => s.Value);
        output.WriteLine($"after 10 s without consumers: {waiting} task(s) waiting, {retries} dispatch retries");
        Assert.True(waiting > 0);
        Assert.True(retries > 0, "the producer did not retry while no consumer answered");

        await Task.WhenAll(
            scenario.App.StartReplicaAsync("consumer", 0, CancellationToken.None),
            scenario.App.StartReplicaAsync("consumer", 1, CancellationToken.None));

        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks, audit.Done);
    }
}
