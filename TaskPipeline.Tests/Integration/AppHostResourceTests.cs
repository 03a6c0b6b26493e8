using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TaskPipeline.Tests.Integration;

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
}
