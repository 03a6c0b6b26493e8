using Xunit.Abstractions;

namespace TaskPipeline.Tests.Faults;

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
        scenario.Options.Set("producer", "Producer:MaxTasks", AfterRestart.ToString(System.Globalization.CultureInfo.InvariantCulture));
        scenario.App.KillReplica("producer", 0);
        // The supervisor waits at least a second before the restart: what is stored now is all the dead process stored.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var storedBeforeCrash = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);
        var unsentAtCrash = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'received'", CancellationToken.None);
        output.WriteLine($"killed the producer: {storedBeforeCrash} stored, {unsentAtCrash} still received");

        var audit = await scenario.QuiesceAndAuditAsync(storedBeforeCrash + AfterRestart);
        output.WriteLine(audit.ToString());

        Assert.Equal(storedBeforeCrash + AfterRestart, audit.Done);
        var produced = (await scenario.ScrapeAsync("producer", 0))
            .Where(s => s.Name == "taskpipeline_producer_tasks_produced_total").Sum(s => s.Value);
        Assert.Equal(AfterRestart, produced);
        Assert.Contains(scenario.App.GetLogs("producer", 0), line => line.Contains("restarting in", StringComparison.Ordinal));
    }
}
