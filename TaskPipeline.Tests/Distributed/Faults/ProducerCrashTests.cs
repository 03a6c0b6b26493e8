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
}
