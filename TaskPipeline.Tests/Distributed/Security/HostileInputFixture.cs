using TaskPipeline.Tests.Distributed.Observability;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>
/// The app for fuzzing and for the secret scan: every credential kind of <see cref="Credentials"/>, no rate limit (so
/// random requests reach the handlers), and telemetry exported to an in-test OTLP receiver, whose every export the
/// scan reads. The Producer makes a few tasks; everything else is the tests' doing.
/// </summary>
public sealed class HostileInputFixture() : WholeAppFixture("hostile")
{
    public const int GeneratedTasks = 20;

    internal TestCredentials Credentials { get; } = new();

    internal OtlpReceiver Receiver { get; private set; } = null!;

    internal AppHostLogListener AppHostLogs { get; } = new();

    protected override async Task BeforeStartAsync() => Receiver = await OtlpReceiver.StartAsync();

    internal override AppArguments Arguments() => Credentials.Configure(new AppArguments { ConsumerReplicas = 1 })
        .ExportTelemetryTo(Receiver.Endpoint)
        .Set("producer", "Producer:MaxTasks", GeneratedTasks)
        .Set("producer", "Producer:Rate", 100)
        .Set("producer", "RateLimit:RequestsPerSecond", 0);

    /// <summary>The generated tasks are finished before a test compares the table before and after.</summary>
    protected override async Task StartedAsync() =>
        await Audit.WaitForStatesAsync(counts => counts.GetValueOrDefault("done") >= GeneratedTasks, TimeSpan.FromSeconds(60), CancellationToken.None);

    protected override async Task StoppedAsync()
    {
        AppHostLogs.Dispose();
        Credentials.Dispose();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }
}
