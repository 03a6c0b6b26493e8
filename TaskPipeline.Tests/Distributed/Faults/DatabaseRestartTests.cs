using System.Net;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

[Collection(FaultTests.Name)]
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PostgresDownForTenSecondsServicesReportUnhealthyThenResumeByThemselves()
    {
        const int Tasks = 4000;
        await using var scenario = FaultScenario.Create("postgres-restart", Tasks, rate: 250);
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") >= 300);

        // PostgreSQL's fast shutdown (SIGINT) to the process Aspire reports: sessions are cut, as when a server goes away.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await scenario.App.SignalAsync("postgres", "INT");
        await scenario.App.WaitForStoppedAsync("postgres", 0, patience.Token);
        output.WriteLine($"PostgreSQL stopped; Aspire reports it {scenario.App.State("postgres")}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var (resource, replica) in new[] { ("consumer", 0), ("consumer", 1), ("producer", 0) })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(scenario, resource, replica));
        }

        await Task.Delay(TimeSpan.FromSeconds(8));
        await scenario.App.StartReplicaAsync("postgres", 0, patience.Token);
        output.WriteLine("PostgreSQL started again (Aspire's Start command)");

        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks, audit.Done);
        foreach (var (resource, replica) in new[] { ("consumer", 0), ("consumer", 1), ("producer", 0) })
        {
            Assert.Equal(HttpStatusCode.OK, await HealthAsync(scenario, resource, replica));
        }
    }

    private static async Task<HttpStatusCode> HealthAsync(FaultScenario scenario, string resource, int replica)
    {
        using var client = scenario.App.CreateHttpClient(resource, "management", replica);
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        return response.StatusCode;
    }
}
