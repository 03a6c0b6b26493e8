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
        // The database is never reached: validation runs before anything starts. In Development, so that the one
        // line is about this option and not also about the authentication every other environment requires.
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__tasksdb"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=tasksdb",
            ["DOTNET_ENVIRONMENT"] = "Development",
        };

        var (exitCode, output, error) = await ServiceCommand.RunAsync(service, [argument], environment);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("consumer", "Consumer:SubmitSecret = (not set): is required outside Development")]
    [InlineData("producer", "Auth:ApiKeys = (not set): no authentication is configured outside Development")]
    public async Task OutsideDevelopmentAServiceWithoutAuthenticationRefusesToStartWithOneLine(string service, string expected)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__tasksdb"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=tasksdb",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };

        var (exitCode, output, error) = await ServiceCommand.RunAsync(service, [], environment);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretsInABadConfigurationAreNotShown()
    {
        const string secret = "short-secret";
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__tasksdb"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=tasksdb",
            ["Consumer__SubmitSecret"] = secret,
        };

        var (exitCode, output, error) = await ServiceCommand.RunAsync("consumer", [], environment);

        Assert.Equal(2, exitCode);
        Assert.Contains("Consumer:SubmitSecret = (set, hidden): must be at least 16 characters", error, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewApiKeyPrintsAKeyAndItsHashAndExitsWithoutStarting()
    {
        var (exitCode, output, _) = await ServiceCommand.RunAsync("producer", ["--new-api-key"]);

        Assert.Equal(0, exitCode);
        var key = System.Text.RegularExpressions.Regex.Match(output, "^key:  (?<key>[A-Za-z0-9_-]{43})$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups["key"].Value;
        var hash = System.Text.RegularExpressions.Regex.Match(output, "^hash: (?<hash>[0-9a-f]{64})$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups["hash"].Value;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))), hash);
    }

    [Fact]
    public async Task MissingConnectionStringIsReportedWithoutShowingSecrets()
    {
        var (exitCode, _, error) = await ServiceCommand.RunAsync("consumer", []);

        Assert.Equal(2, exitCode);
        Assert.Contains("ConnectionStrings:tasksdb", error, StringComparison.Ordinal);
    }
}
