extern alias producer;

using Microsoft.Extensions.Time.Testing;
using producer::TaskPipeline.Producer.Generation;

namespace TaskPipeline.Tests.Unit.Producer.Generation;

public sealed class RatePacerTests
{
    [Theory]
    [InlineData(0.1, 600)]
    [InlineData(1, 60)]
    [InlineData(10, 60)]
    [InlineData(3_000, 10)]
    [InlineData(50_000, 10)]
    public void AllowsExactlyRateTimesElapsedOverTime(double rate, int seconds)
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(rate, time);
        long taken = pacer.TryAcquire(int.MaxValue);

        // Small steps, as a generation loop that keeps up takes them; the bucket only ever holds 100 ms worth.
        var step = TimeSpan.FromMilliseconds(rate >= 1000 ? 1 : 50);
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(seconds); elapsed += step)
        {
            time.Advance(step);
            taken += pacer.TryAcquire(int.MaxValue);
        }

        // One task is allowed at once (the bucket starts holding one), then exactly rate × time.
        Assert.Equal(1 + (long)Math.Floor(rate * seconds), taken);
    }

    [Fact]
    public void DoesNotBurstAfterAPause()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(1000, time);
        pacer.TryAcquire(int.MaxValue);

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(pacer.Capacity, pacer.TryAcquire(int.MaxValue));
        Assert.Equal(100, pacer.Capacity);
        Assert.Equal(0, pacer.TryAcquire(int.MaxValue));
    }

    [Fact]
    public async Task AcquireWaitsForTheNextTaskOnTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(0.1, time);
        Assert.Equal(1, await pacer.AcquireAsync(10, CancellationToken.None));

        var next = pacer.AcquireAsync(10, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(next.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, await next.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void ZeroMeansUnlimited()
    {
        var pacer = new RatePacer(0, new FakeTimeProvider());

        Assert.Equal(1000, pacer.TryAcquire(1000));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsRatesThatAreNotFiniteAndPositive(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RatePacer(rate, new FakeTimeProvider()));
}
