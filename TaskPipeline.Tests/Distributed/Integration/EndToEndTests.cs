using System.Net;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Integration;

[Collection(PipelineTests.Name)]
public sealed class EndToEndTests(PipelineFixture fixture)
{
    private static readonly TimeSpan Quiescence = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EveryProducedTaskReachesDone()
    {
        var counts = await fixture.Audit.WaitForStatesAsync(
            c => c.GetValueOrDefault("done") == PipelineFixture.TaskCount, Quiescence, CancellationToken.None);

        Assert.Equal(PipelineFixture.TaskCount, counts.Values.Sum());
    }

    [Fact]
    public async Task ConsumerMetricsMatchTheDatabasePerType()
    {
        await fixture.Audit.WaitForStatesAsync(
            c => c.GetValueOrDefault("done") == PipelineFixture.TaskCount, Quiescence, CancellationToken.None);
        var database = await fixture.Audit.DoneByTypeAsync(CancellationToken.None);

        var done = new Dictionary<string, double>();
        var valueSums = new Dictionary<string, double>();
        for (var replica = 0; replica < 2; replica++)
        {
            var samples = await ScrapeAsync("consumer", replica);
            Add(done, PrometheusText.SumBy(samples, "taskpipeline_consumer_tasks_done_total", "task_type"));
            Add(valueSums, PrometheusText.SumBy(samples, "taskpipeline_consumer_tasks_value_sum_total", "task_type"));
        }

        Assert.Equal(database.ToDictionary(d => d.Key, d => (double)d.Value.Count), done);
        Assert.Equal(database.ToDictionary(d => d.Key, d => (double)d.Value.ValueSum), valueSums);
    }

    [Fact]
    public async Task BothConsumerReplicasShareTheWork()
    {
        await fixture.Audit.WaitForStatesAsync(
            c => c.GetValueOrDefault("done") == PipelineFixture.TaskCount, Quiescence, CancellationToken.None);

        for (var replica = 0; replica < 2; replica++)
        {
            var samples = await ScrapeAsync("consumer", replica);
            var done = PrometheusText.SumBy(samples, "taskpipeline_consumer_tasks_done_total", "task_type").Values.Sum();
            Assert.True(done > 0, $"consumer replica {replica} processed nothing");
        }
    }

    [Fact]
    public async Task ProducedCounterEqualsTheStoredRows()
    {
        await fixture.Audit.WaitForStatesAsync(
            c => c.Values.Sum() == PipelineFixture.TaskCount, Quiescence, CancellationToken.None);

        var samples = await ScrapeAsync("producer", 0);
        var produced = PrometheusText.SumBy(samples, "taskpipeline_producer_tasks_produced_total", "task_type");

        var rows = await fixture.Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None);
        Assert.Equal(rows, produced.Values.Sum());
        Assert.Equal(10, produced.Count);
    }

    [Theory]
    [InlineData("producer", 0)]
    [InlineData("consumer", 0)]
    [InlineData("consumer", 1)]
    public async Task HealthAndAliveAnswerOnTheManagementPort(string resource, int replica)
    {
        using var client = fixture.App.CreateHttpClient(resource, "management", replica);

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    private async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(string resource, int replica)
    {
        using var client = fixture.App.CreateHttpClient(resource, "management", replica);
        return await PrometheusText.ScrapeAsync(client, new Uri("/metrics", UriKind.Relative), CancellationToken.None);
    }

    private static void Add(Dictionary<string, double> into, Dictionary<string, double> from)
    {
        foreach (var (key, value) in from)
        {
            into[key] = into.GetValueOrDefault(key) + value;
        }
    }
}
