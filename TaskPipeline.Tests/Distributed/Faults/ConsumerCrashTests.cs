using System.Diagnostics;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

[Collection(FaultTests.Name)]
public sealed class ConsumerCrashTests(ITestOutputHelper output)
{
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
