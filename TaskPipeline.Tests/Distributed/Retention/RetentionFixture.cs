using System.Globalization;
using TaskPipeline.Tests.Distributed.Api;

namespace TaskPipeline.Tests.Distributed.Retention;

/// <summary>
/// A short retention: done tasks go 2 s after they finish, failed ones 3 s after; a fifth of the attempts fail and each
/// task has one, so both states are made and deleted while the tests watch.
/// </summary>
public sealed class RetentionFixture() : ApiAppFixture("retention")
{
    public const int Tasks = 300;

    internal override void Configure(AppArguments options) => options
        .Set("producer", "Producer:MaxTasks", Tasks.ToString(CultureInfo.InvariantCulture))
        .Set("producer", "Producer:Rate", "1000")
        .Set("producer", "Retention:Done", "00:00:02")
        .Set("producer", "Retention:Failed", "00:00:03")
        .Set("producer", "Retention:Interval", "00:00:00.250")
        .Set("producer", "Retention:BatchSize", "50")
        .Set("consumer", "Consumer:FailureRate", "0.2")
        .Set("consumer", "Consumer:MaxAttempts", "1");
}
