using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TaskPipeline.Tests.Distributed.Integration;

[Collection(PipelineTests.Name)]
public sealed class AppHostResourceTests(PipelineFixture fixture)
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("tasksdb")]
    [InlineData("consumer")]
    [InlineData("producer")]
    public async Task EveryResourceOfTheSystemMapIsRunningAndHealthy(string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var state = await fixture.App.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);

        Assert.Equal(KnownResourceStates.Running, state.Snapshot.State?.Text);
        Assert.Equal(HealthStatus.Healthy, state.Snapshot.HealthStatus);
    }

    [Fact]
    public void TheConsumerRunsAsTwoReplicasEachWithItsOwnProcess()
    {
        var ids = fixture.App.ReplicaIds("consumer");

        Assert.Equal(2, ids.Count);
        Assert.NotEqual(fixture.App.ProcessId("consumer", 0), fixture.App.ProcessId("consumer", 1));
        Assert.NotEqual(fixture.App.GetEndpoint("consumer", "management", 0), fixture.App.GetEndpoint("consumer", "management", 1));
    }

    [Fact]
    public void TheConnectionStringHasAspiresFormat()
    {
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(fixture.App.ConnectionString);

        Assert.Equal("tasksdb", settings.Database);
        Assert.Equal("postgres", settings.Username);
        Assert.False(string.IsNullOrEmpty(settings.Password));
    }

    [Theory]
    [InlineData("consumer", 0)]
    [InlineData("consumer", 1)]
    [InlineData("producer", 0)]
    public async Task TheDashboardLinksToEachReplicasOwnMetricsAndHealth(string resource, int replica)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var id = fixture.App.ReplicaId(resource, replica);
        var own = fixture.App.GetEndpoint(resource, "management", replica);

        var update = await fixture.App.App.ResourceNotifications.WaitForResourceAsync(
            resource, e => e.ResourceId == id && e.Snapshot.Urls.Any(url => url.DisplayProperties.DisplayName == "metrics"), timeout.Token);
        var links = update.Snapshot.Urls.Where(url => url.Name == "management").ToDictionary(url => url.DisplayProperties.DisplayName, url => new Uri(url.Url));

        Assert.Equal(["health", "metrics"], links.Keys.Order(StringComparer.Ordinal));
        Assert.All(links.Values, link => Assert.Equal(own.Port, link.Port));
        using var client = new HttpClient();
        Assert.Contains($"taskpipeline_{resource}_", await client.GetStringAsync(links["metrics"], timeout.Token), StringComparison.Ordinal);
        Assert.Equal("Healthy", await client.GetStringAsync(links["health"], timeout.Token));
    }

    [Theory]
    [InlineData("consumer")]
    [InlineData("producer")]
    public void WithoutTheDashboardTheServicesAreGivenNoOtlpEndpointToExportTo(string resource)
    {
        foreach (var id in fixture.App.ReplicaIds(resource))
        {
            Assert.True(fixture.App.App.ResourceNotifications.TryGetCurrentState(id, out var state));
            Assert.DoesNotContain(state!.Snapshot.EnvironmentVariables, variable => variable.Name.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal));
            Assert.Contains(state.Snapshot.EnvironmentVariables, variable => variable.Name == "OTEL_SERVICE_NAME" && variable.Value == resource);
        }
    }
}
