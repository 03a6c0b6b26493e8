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

        // The API is asked all through the outage: every answer must be the usual one or a 503 with Retry-After.
        using var probing = new CancellationTokenSource();
        using var api = scenario.App.CreateHttpClient("producer");
        api.Timeout = TimeSpan.FromSeconds(30);
        var probe = ProbeApiAsync(api, probing.Token);

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
        await Task.Delay(TimeSpan.FromSeconds(2));
        await probing.CancelAsync();
        var answers = await probe;
        output.WriteLine($"API answers during the outage: {string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{(int)g.Key}: {g.Count()}"))}");
        Assert.DoesNotContain(answers, a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable);
        Assert.Contains(answers, a => a.Status == HttpStatusCode.ServiceUnavailable);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a =>
        {
            Assert.True(a.RetryAfter, $"{a.Route}: a 503 without Retry-After");
            Assert.Equal("application/problem+json", a.ContentType);
        });
        foreach (var route in Routes)
        {
            using var after = await api.SendAsync(new HttpRequestMessage(route.Method, route.Path));
            Assert.Equal(route.Healthy, after.StatusCode);
        }


        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks, audit.Done);
        foreach (var (resource, replica) in new[] { ("consumer", 0), ("consumer", 1), ("producer", 0) })
        {
            Assert.Equal(HttpStatusCode.OK, await HealthAsync(scenario, resource, replica));
        }
    }

    /// <summary>Routes that read or write the tasks table, and what each answers while the database is up.</summary>
    private static readonly (HttpMethod Method, Uri Path, HttpStatusCode Healthy)[] Routes =
    [
        (HttpMethod.Get, new Uri("/api/stats", UriKind.Relative), HttpStatusCode.OK),
        (HttpMethod.Get, new Uri("/api/tasks?limit=1", UriKind.Relative), HttpStatusCode.OK),
        (HttpMethod.Get, new Uri("/api/pipeline", UriKind.Relative), HttpStatusCode.OK),
        (HttpMethod.Get, new Uri($"/api/tasks/{Guid.Empty}", UriKind.Relative), HttpStatusCode.NotFound),
        (HttpMethod.Post, new Uri($"/api/tasks/{Guid.Empty}/cancel", UriKind.Relative), HttpStatusCode.NotFound),
    ];

    private sealed record ApiAnswer(Uri Route, HttpStatusCode Status, bool RetryAfter, string? ContentType);

    /// <summary>Each route in turn, five times a second (well under the rate limit), until canceled.</summary>
    private static async Task<List<ApiAnswer>> ProbeApiAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var answers = new List<ApiAnswer>();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var route in Routes)
            {
                try
                {
                    using var response = await api.SendAsync(new HttpRequestMessage(route.Method, route.Path), cancellationToken);
                    answers.Add(new ApiAnswer(route.Path, response.StatusCode, response.Headers.RetryAfter is not null, response.Content.Headers.ContentType?.MediaType));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return answers;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return answers;
            }
        }

        return answers;
    }

    private static async Task<HttpStatusCode> HealthAsync(FaultScenario scenario, string resource, int replica)
    {
        using var client = scenario.App.CreateHttpClient(resource, "management", replica);
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        return response.StatusCode;
    }
}
