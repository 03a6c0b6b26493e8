namespace TaskPipeline.Tests.Support;

/// <summary>
/// How long a test collection takes on CI's two cores, roughly: <see cref="LongestFirstCollectionOrderer"/> starts the
/// longest ones first, so the suite's wall time is the longest collection's, not the sum of the last few.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ExpectedDurationAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;
}
