extern alias producer;

using producer::TaskPipeline.Producer.Generation;

namespace TaskPipeline.Tests.Unit.Producer.Generation;

public sealed class PrioritySpreadTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void NoWeightsGiveEveryTaskTheDefaultPriority(string? text)
    {
        Assert.True(PrioritySpread.TryParse(text, out var spread, out _));
        var random = new Random(1);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(5, spread.Next(random)));
    }

    [Fact]
    public void PrioritiesAreDrawnWithTheirWeightsOdds()
    {
        Assert.True(PrioritySpread.TryParse("9=1, 5=8 ,0=1", out var spread, out _));
        var random = new Random(42);
        var drawn = Enumerable.Range(0, 100_000).Select(_ => spread.Next(random)).GroupBy(p => p).ToDictionary(g => (int)g.Key, g => g.Count());

        Assert.Equal([0, 5, 9], drawn.Keys.Order());
        Assert.InRange(drawn[9], 9_500, 10_500);
        Assert.InRange(drawn[5], 79_000, 81_000);
        Assert.InRange(drawn[0], 9_500, 10_500);
    }

    [Theory]
    [InlineData("9", "priority=weight pairs")]
    [InlineData("9=x", "priority=weight pairs")]
    [InlineData("10=1", "priorities from 0 to 9")]
    [InlineData("-1=1", "priority=weight pairs")]
    [InlineData("5=0", "weights from 1")]
    [InlineData("5=1,5=2", "each priority once")]
    public void BadWeightsAreRefusedWithTheRule(string text, string rule)
    {
        Assert.False(PrioritySpread.TryParse(text, out _, out var error));
        Assert.Contains(rule, error, StringComparison.Ordinal);
    }
}
