using TaskPipeline.Tests.Distributed;

namespace TaskPipeline.Tests.Distributed.Integration;

/// <summary>
/// The whole app, once for the collection, through Aspire.Hosting.Testing: PostgreSQL, two Consumer replicas and a
/// Producer that stores and sends <see cref="TaskCount"/> tasks.
/// </summary>
public sealed class PipelineFixture() : WholeAppFixture("pipeline")
{
    public const int TaskCount = 3000;

    internal override AppArguments Arguments() => new AppArguments { ConsumerReplicas = 2 }
        .Set("producer", "Producer:Rate", 3000)
        .Set("producer", "Producer:MaxTasks", TaskCount)
        .Set("producer", "Producer:MaxBacklog", 100000)
        // At least 30 Submit calls: each goes to the next of the Producer's connections, and DCP's proxy gives each
        // connection to a replica at random. With the first calls slow (connections opening, code compiled at first
        // use), 1000-task batches made as few as four calls, and all four could land on one replica.
        .Set("producer", "Producer:BatchSize", 100);
}
