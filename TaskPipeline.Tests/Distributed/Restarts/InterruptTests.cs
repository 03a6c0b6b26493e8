using TaskPipeline.Tests.Support;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Restarts;

/// <summary>Ctrl+C is a stop the user asked for: the restart policy undoes none of it.</summary>
[Collection(RestartTests.Name)]
public sealed class InterruptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = TestDirectories.Create("interrupt");

    [Fact]
    public async Task CtrlCStopsTheWholeAppWithExitCodeZeroAndRestartsNothing()
    {
        await using var run = AppHostProcess.Start(
        [
            $"--TaskPipeline:Database:StateDirectory={Path.Combine(_directory, "postgres")}",
            "--TaskPipeline:Prometheus:Enabled=false",
            // Ports of DCP's choosing, as Aspire.Hosting.Testing gives: the services' fixed ones may be another test app's.
            "--DcpPublisher:RandomizePorts=true",
            "--TaskPipeline:Restart:Policy=OnFailure",
            "--TaskPipeline:Restart:InitialDelay=00:00:00.100",
            $"--Parameters:producer-api-key={AppArguments.ApiKey}",
        ]);
        Assert.True(await run.WaitForOutputAsync("Distributed application started", TimeSpan.FromMinutes(2)), $"the app did not start:\n{run.Output}{run.Error}");
        // The services are up (or nearly) and working: every kind of resource is running when the stop comes.
        await Task.Delay(TimeSpan.FromSeconds(10));

        await run.InterruptAsync();
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromSeconds(90));
        output.WriteLine(run.Output);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("exited unexpectedly", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" restarted (restart", run.Output, StringComparison.Ordinal);
        Assert.Empty(await run.LeftRunningAfterAsync(TimeSpan.FromSeconds(15)));
    }

    public void Dispose() => TestDirectories.Delete(_directory);
}
