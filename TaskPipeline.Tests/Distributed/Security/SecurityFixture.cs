using System.Globalization;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>
/// The app with every kind of credential the API takes: JWTs and a read-only key from <see cref="Credentials"/>, the
/// AppHost's development key (read and write), and a per-client limit low enough to reach. The
/// Producer makes one task; the tests make the rest.
/// </summary>
public sealed class SecurityFixture() : WholeAppFixture("security")
{
    public const int RequestsPerSecond = 50;
    public const int Burst = 100;

    internal TestCredentials Credentials { get; } = new();

    internal override AppArguments Arguments() => Credentials.Configure(new AppArguments { ConsumerReplicas = 1 })
        .Set("producer", "Producer:MaxTasks", 1)
        .Set("producer", "RateLimit:RequestsPerSecond", RequestsPerSecond.ToString(CultureInfo.InvariantCulture))
        .Set("producer", "RateLimit:Burst", Burst.ToString(CultureInfo.InvariantCulture));

    /// <summary>The Producer's one task is finished before any test compares the table before and after.</summary>
    protected override async Task StartedAsync() =>
        await Audit.WaitForStatesAsync(counts => counts.GetValueOrDefault("done") >= 1, TimeSpan.FromSeconds(60), CancellationToken.None);

    protected override Task StoppedAsync()
    {
        Credentials.Dispose();
        return Task.CompletedTask;
    }
}
