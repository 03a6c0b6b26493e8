using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Tests.Unit.ServiceDefaults;

public sealed class IdleBackoffTests
{
    private static readonly TimeSpan Busy = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    [Fact]
    public void StartsAtTheBusyWait()
    {
        Assert.Equal(Busy, new IdleBackoff(Busy, Idle).Current);
    }

    [Fact]
    public void RoundsThatFindNothingDoubleTheWaitUpToTheIdleWait()
    {
        var pace = new IdleBackoff(Busy, Idle);

        var waits = Enumerable.Range(0, 6).Select(_ => pace.Idle().TotalSeconds).ToArray();

        Assert.Equal([2, 4, 8, 10, 10, 10], waits);
    }

    [Fact]
    public void TheFirstRoundThatFindsWorkBringsTheBusyWaitBack()
    {
        var pace = new IdleBackoff(Busy, Idle);
        pace.Idle();
        pace.Idle();

        Assert.Equal(Busy, pace.After(foundWork: true));
        Assert.Equal(TimeSpan.FromSeconds(2), pace.After(foundWork: false));
    }

    [Fact]
    public void AnIdleWaitNoLongerThanTheBusyOneNeverGrows()
    {
        var pace = new IdleBackoff(Busy, Busy);

        Assert.Equal(Busy, pace.Idle());
        Assert.Equal(Busy, pace.Idle());
    }

    [Fact]
    public void AnIdleWaitShorterThanTheBusyOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdleBackoff(Idle, Busy));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdleBackoff(TimeSpan.Zero, Idle));
    }
}
