extern alias producer;

using producer::TaskPipeline.Producer;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Unit.Producer;

public sealed class ProducerOptionsTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.Empty(Annotations.Validate(new ProducerOptions()));

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    [InlineData(double.NaN)]
    public void RateOutsideZeroToOneMillionIsRejected(double rate) =>
        Assert.Equal([nameof(ProducerOptions.Rate)], Annotations.InvalidMembers(new ProducerOptions { Rate = rate }));

    [Theory]
    [InlineData(0.1)]
    [InlineData(50_000)]
    [InlineData(0)]
    public void RatesFromATenthToFiftyThousandAndUnlimitedAreAccepted(double rate) =>
        Assert.Empty(Annotations.Validate(new ProducerOptions { Rate = rate }));

    [Fact]
    public void MaxBacklogMustBePositive() =>
        Assert.Equal([nameof(ProducerOptions.MaxBacklog)], Annotations.InvalidMembers(new ProducerOptions { MaxBacklog = 0 }));

    [Fact]
    public void MaxTasksIsOptionalButPositive()
    {
        Assert.Empty(Annotations.Validate(new ProducerOptions { MaxTasks = null }));
        Assert.Equal([nameof(ProducerOptions.MaxTasks)], Annotations.InvalidMembers(new ProducerOptions { MaxTasks = 0 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void DispatchMaxAttemptsOutsideOneToOneHundredIsRejected(int attempts) =>
        Assert.Equal([nameof(ProducerOptions.DispatchMaxAttempts)], Annotations.InvalidMembers(new ProducerOptions { DispatchMaxAttempts = attempts }));

    [Theory]
    [InlineData("ftp://consumer")]
    [InlineData("consumer")]
    public void ConsumerAddressMustBeAnHttpUrl(string address) =>
        Assert.Equal([nameof(ProducerOptions.ConsumerAddress)], Annotations.InvalidMembers(new ProducerOptions { ConsumerAddress = address }));

    [Fact]
    public void RetryMaxDelayMayNotBeShorterThanTheBase() =>
        Assert.Equal(
            [nameof(ProducerOptions.RetryMaxDelay)],
            Annotations.InvalidMembers(new ProducerOptions { RetryBaseDelay = TimeSpan.FromSeconds(2), RetryMaxDelay = TimeSpan.FromSeconds(1) }));
}
