using System.Globalization;
using TaskPipeline.Tests.Distributed.Faults;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// Several Producers and Consumers on one database, as a horizontally scaled deployment runs them: the reliability
/// guarantees still hold, and the Producers share one backlog limit because they count it in the database.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class ScalingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoProducersAndThreeConsumersFinishEveryTaskOnceAndShareTheBacklogLimit()
    {
        const int Producers = 2;
        const int Consumers = 3;
        const int TasksPerProducer = 1500;
        const int MaxBacklog = 200;
        await using var scenario = FaultScenario.Create("scale", TasksPerProducer, rate: 400, consumers: Consumers);
        scenario.Options.ProducerReplicas = Producers;
        // Consumers slower than the producers together (3 × 4 workers at ~50 ms a task ≈ 240 tasks/s, against 2 × 400/s):
        // the backlog reaches the limit and stays there, which is what the producers must share.
        scenario.Options
            .Set("producer", "Producer:MaxBacklog", MaxBacklog.ToString(CultureInfo.InvariantCulture))
            .Set("consumer", "Consumer:MaxConcurrency", "4");
        await scenario.StartAsync();

        var backlog = new List<long>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                backlog.Add(await scenario.Audit.ScalarAsync(
                    "SELECT count(*) FROM tasks WHERE state IN ('received', 'processing')", CancellationToken.None));
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
        });

        var audit = await scenario.QuiesceAndAuditAsync(Producers * TasksPerProducer);
        await stopSampling.CancelAsync();
        await sampling;
        output.WriteLine(audit.ToString());
        output.WriteLine($"backlog: {backlog.Count} samples, max {backlog.Max()}, limit {MaxBacklog} per producer process, shared");

        // Every task done once (the audit: all `done`, and each Consumer's counter equals its rows in the table).
        Assert.Equal(Producers * TasksPerProducer, audit.Done);
        Assert.Equal(Producers * TasksPerProducer, audit.CountedByRunningProcesses);
        Assert.Equal(0, await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE done_at IS NULL", CancellationToken.None));

        // Each Producer made exactly its share, and every Consumer took part.
        for (var replica = 0; replica < Producers; replica++)
        {
            var produced = (await scenario.ScrapeAsync("producer", replica))
                .Where(s => s.Name == "taskpipeline_producer_tasks_produced_total").Sum(s => s.Value);
            Assert.Equal(TasksPerProducer, produced);
        }

        for (var replica = 0; replica < Consumers; replica++)
        {
            var done = await scenario.Audit.ScalarAsync(
                "SELECT count(*) FROM tasks WHERE state = 'done' AND lease_owner = $1", CancellationToken.None, scenario.ConsumerOwner(replica));
            output.WriteLine($"consumer-{replica}: {done} done");
            Assert.True(done > 0, $"consumer-{replica} did no task: calls were not spread over the replicas");
        }

        // The limit was reached, and both producers together stayed within it, give or take what each could store
        // between two counts of the database (the worst case is one limit's worth per producer).
        Assert.True(backlog.Max() >= MaxBacklog / 2, $"the backlog never came near the limit (max {backlog.Max()}): the test did not exercise it");
        Assert.True(backlog.Max() <= Producers * MaxBacklog, $"the backlog reached {backlog.Max()}, over {Producers} × {MaxBacklog}");
    }
}
