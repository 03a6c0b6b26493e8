extern alias consumer;

using consumer::TaskPipeline.Consumer.Completion;
using Microsoft.Extensions.Time.Testing;

namespace TaskPipeline.Tests.Unit.Consumer;

public sealed class ArrivalRateTests
{
    [Fact]
    public void TheRateIsZeroUntilAWholeSecondHasPassed()
    {
        var time = new FakeTimeProvider();
        var rate = new ArrivalRate(time);

        rate.Add(500);
        time.Advance(TimeSpan.FromMilliseconds(999));
        rate.Add(499);

        Assert.Equal(0, rate.PerSecond);
    }

    [Fact]
    public void EachWholeSecondGivesTheRateOfItsItemsAndStartsAnew()
    {
        var time = new FakeTimeProvider();
        var rate = new ArrivalRate(time);

        rate.Add(300);
        time.Advance(TimeSpan.FromSeconds(1));
        rate.Add(200);
        Assert.Equal(500, rate.PerSecond);

        // Quiet for a minute: one item then means a rate near zero, not the old one.
        time.Advance(TimeSpan.FromMinutes(1));
        rate.Add(1);
        Assert.Equal(1 / 60d, rate.PerSecond, 6);
    }
}
