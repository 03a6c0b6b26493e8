using TaskPipeline.AppHost.Restarts;

namespace TaskPipeline.Tests.Unit.AppHost.Restarts;

public sealed class RestartBackoffTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);

    private static RestartSettings Settings(int maxRestarts = 10) => new()
    {
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
        MaxRestarts = maxRestarts,
        Window = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void TheWaitDoublesFromTheInitialDelayUpToTheMaximum()
    {
        var backoff = new RestartBackoff(Settings());

        var waits = Enumerable.Range(0, 8).Select(i => backoff.Next(Start.AddSeconds(i))!.Value.TotalSeconds).ToList();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], waits);
        Assert.Equal(8, backoff.TotalRestarts);
    }

    [Fact]
    public void AfterTheCapWithinTheWindowThereIsNoRestart()
    {
        var backoff = new RestartBackoff(Settings(maxRestarts: 5));
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(backoff.Next(Start.AddSeconds(i)));
        }

        Assert.Null(backoff.Next(Start.AddSeconds(10)));
        Assert.Equal(5, backoff.TotalRestarts);
    }

    [Fact]
    public void RestartsOlderThanTheWindowNoLongerCountForTheCapOrTheWait()
    {
        var backoff = new RestartBackoff(Settings(maxRestarts: 2));
        backoff.Next(Start);
        backoff.Next(Start.AddMinutes(1));

        Assert.Null(backoff.Next(Start.AddMinutes(4)));
        // The first restart has left the window: one more is allowed, waiting as the second one would.
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Next(Start.AddMinutes(5)));
        // Both earlier ones have left it: a resource that ran well starts over from the first delay.
        var later = new RestartBackoff(Settings(maxRestarts: 2));
        later.Next(Start);
        later.Next(Start.AddMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(1), later.Next(Start.AddMinutes(7)));
    }

    [Fact]
    public void AStartByHandGivesAFreshBudget()
    {
        var backoff = new RestartBackoff(Settings(maxRestarts: 1));
        backoff.Next(Start);
        Assert.Null(backoff.Next(Start.AddSeconds(1)));

        backoff.Reset();

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next(Start.AddSeconds(2)));
        Assert.Equal(2, backoff.TotalRestarts);
    }
}
