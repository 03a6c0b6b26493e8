using System.ComponentModel;

namespace TaskPipeline.Data.Tasks;

/// <summary>Tasks that reached done and failed within one second or minute.</summary>
public sealed record ThroughputBucket(
    [property: Description("The start of the second or minute.")]
    DateTimeOffset At,
    long Done,
    long Failed);
