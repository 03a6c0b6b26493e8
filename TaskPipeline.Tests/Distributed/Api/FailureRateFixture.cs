using TaskPipeline.Tests.Distributed;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>
/// Consumer:FailureRate=0.3 with two attempts: about 9% of the tasks are dead-lettered (never none, in practice: the
/// chance that all 300 succeed is e^-27), the rest done, many after a retry.
/// </summary>
public sealed class FailureRateFixture() : ApiAppFixture("failurerate")
{
    public const int Tasks = 300;
    public const int MaxAttempts = 2;

    internal override void Configure(AppArguments options) => options
        .Set("producer", "Producer:MaxTasks", Tasks.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Set("producer", "Producer:Rate", "2000")
        .Set("producer", "Producer:SweepInterval", "00:00:00.100")
        .Set("consumer", "Consumer:FailureRate", "0.3")
        .Set("consumer", "Consumer:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Set("consumer", "Consumer:RetryBackoff", "00:00:00.010");
}
