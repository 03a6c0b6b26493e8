using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Integration;

public sealed class ServiceCommandLineTests
{
    [Theory]
    [InlineData("consumer", "--version", "TaskPipeline.Consumer")]
    [InlineData("producer", "-version", "TaskPipeline.Producer")]
    public async Task VersionPrintsNameVersionAndCommitAndExitsWithoutStarting(string service, string flag, string name)
    {
        var (exitCode, output, _) = await ServiceCommand.RunAsync(service, [flag]);

        Assert.Equal(0, exitCode);
        Assert.Matches($@"^{name} \d+\.\d+\.\d+ \(commit [0-9a-f]{{7,40}}\)\s*$", output);
    }

    [Theory]
    [InlineData("consumer", "--Consumer:MaxConcurrency=0", "Consumer:MaxConcurrency = '0'")]
    [InlineData("consumer", "--Consumer:DelayPerValue=soon", "Consumer:DelayPerValue")]
    [InlineData("producer", "--Producer:Rate=-1", "Producer:Rate = '-1'")]
    [InlineData("producer", "--Prometheus:Port=70000", "Prometheus:Port = '70000'")]
    [InlineData("producer", "--Logging:Format=xml", "Logging:Format = 'xml'")]
    public async Task InvalidOptionStopsTheServiceWithOneClearLine(string service, string argument, string expected)
    {
        // The database is never reached: validation runs before anything starts.
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__tasksdb"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=tasksdb",
        };

        var (exitCode, output, error) = await ServiceCommand.RunAsync(service, [argument], environment);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConnectionStringIsReportedWithoutShowingSecrets()
    {
        var (exitCode, _, error) = await ServiceCommand.RunAsync("consumer", []);

        Assert.Equal(2, exitCode);
        Assert.Contains("ConnectionStrings:tasksdb", error, StringComparison.Ordinal);
    }
}
