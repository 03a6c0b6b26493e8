using TaskPipeline.Tests.Distributed;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>Every attempt fails (Consumer:FailureRate=1): the generated tasks all end in the dead letter.</summary>
public sealed class DeadLetterFixture() : ApiAppFixture("deadletter")
{
    public const int Tasks = 20;
    public const int MaxAttempts = 3;

    internal override void Configure(AppArguments options) => options
        .Set("producer", "Producer:MaxTasks", Tasks.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Set("producer", "Producer:Rate", "1000")
        .Set("producer", "Producer:SweepInterval", "00:00:00.100")
        .Set("consumer", "Consumer:FailureRate", "1")
        .Set("consumer", "Consumer:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Set("consumer", "Consumer:RetryBackoff", "00:00:00.010");
}
