extern alias producer;

using producer::TaskPipeline.Producer;

namespace TaskPipeline.Tests.Unit.Producer;

public sealed class BacklogGateTests
{
    [Fact]
    public void RoomIsWhatIsLeftBelowTheMaximum()
    {
        var gate = new BacklogGate(maxBacklog: 1000);

        gate.Update(600);
        gate.OnStored(150);

        Assert.Equal(750, gate.Backlog);
        Assert.Equal(250, gate.Room);
        Assert.False(gate.IsPaused);
    }

    [Fact]
    public void PausesOnceWhenTheBacklogReachesTheMaximum()
    {
        var gate = new BacklogGate(maxBacklog: 100);

        Assert.Equal(BacklogChange.None, gate.OnStored(99));
        Assert.Equal(BacklogChange.Paused, gate.OnStored(1));
        Assert.Equal(BacklogChange.None, gate.Update(120));

        Assert.True(gate.IsPaused);
        Assert.Equal(0, gate.Room);
    }

    [Fact]
    public void ResumesOnlyAtHalfTheMaximumButRoomFollowsTheBacklog()
    {
        var gate = new BacklogGate(maxBacklog: 100);
        gate.Update(100);

        Assert.Equal(BacklogChange.None, gate.Update(99));
        Assert.Equal(1, gate.Room);
        Assert.True(gate.IsPaused);

        Assert.Equal(BacklogChange.Resumed, gate.Update(50));
        Assert.False(gate.IsPaused);
        Assert.Equal(50, gate.Room);
    }

    [Fact]
    public void AFreshCountReplacesWhatWasStoredSinceTheLastOne()
    {
        var gate = new BacklogGate(maxBacklog: 100);
        gate.Update(10);
        gate.OnStored(30);

        gate.Update(5);

        Assert.Equal(5, gate.Backlog);
    }
}
