extern alias consumer;

using consumer::TaskPipeline.Consumer.Work;

namespace TaskPipeline.Tests.Unit.Consumer.Work;

public sealed class WorkDelayTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(42, 42)]
    [InlineData(99, 99)]
    public void IsTheValueTimesTheDelayPerValue(int value, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), WorkDelay.For(value, TimeSpan.FromMilliseconds(1)));

    [Fact]
    public void ScalesWithTheConfiguredDelay() =>
        Assert.Equal(TimeSpan.FromMilliseconds(495), WorkDelay.For(99, TimeSpan.FromMilliseconds(5)));

    [Fact]
    public void RejectsNegativeValues() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkDelay.For(-1, TimeSpan.FromMilliseconds(1)));
}
