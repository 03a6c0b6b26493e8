using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

[Collection(FaultTests.Name)]
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigtermToEverythingMidRunThenRestartOnTheSameDataLosesNothingAndLeavesNothingStuck()
    {
        const int Tasks = 2000;
        await using var scenario = FaultScenario.Create("sigterm-all", Tasks, rate: 2000);
        // Slow consumers: when everything is stopped, most tasks are stored but not yet done, many mid-work.
        scenario.Options.Set("consumer", "Consumer:DelayPerValue", "00:00:00.005")
            .Set("consumer", "Consumer:MaxConcurrency", "32")
            .Set("consumer", "Consumer:DrainTimeout", "00:00:00.200")
            .Set("consumer", "Consumer:LeaseDuration", "00:00:30");
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.Values.Sum() == Tasks && c.GetValueOrDefault("done") >= 100);
        var oldOwners = new[] { scenario.ConsumerOwner(0), scenario.ConsumerOwner(1) };

        // Every process gets SIGTERM (producer, consumers, then PostgreSQL), as on Ctrl+C.
        scenario.Options.Set("producer", "Producer:MaxTasks", "1");
        await scenario.RestartAppAsync();

        // Leases are 30 s: a task the old consumers left in processing would still be there now.
        var leftInProcessing = await scenario.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE state = 'processing' AND lease_owner = ANY($1)", CancellationToken.None, (object)oldOwners);
        var states = await scenario.Audit.CountByStateAsync(CancellationToken.None);
        output.WriteLine($"after the restart: {string.Join(", ", states.Select(s => $"{s.Key}={s.Value}"))}; left in processing by the stopped consumers: {leftInProcessing}");
        Assert.Equal(0, leftInProcessing);

        var audit = await scenario.QuiesceAndAuditAsync(Tasks + 1);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks + 1, audit.Done);
    }
}
