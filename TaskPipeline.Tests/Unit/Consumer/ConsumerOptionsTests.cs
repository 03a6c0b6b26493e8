extern alias consumer;

using consumer::TaskPipeline.Consumer;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Unit.Consumer;

public sealed class ConsumerOptionsTests
{
    [Fact]
    public void DefaultsAreValidInDevelopment() => Assert.Empty(Annotations.Validate(new ConsumerOptions { IsDevelopment = true }));

    [Fact]
    public void OutsideDevelopmentASubmitSecretIsRequired() =>
        Assert.Equal([nameof(ConsumerOptions.SubmitSecret)], Annotations.InvalidMembers(new ConsumerOptions()));

    [Fact]
    public void OutsideDevelopmentASecretOrTheExplicitOptOutIsValid()
    {
        Assert.Empty(Annotations.Validate(new ConsumerOptions { SubmitSecret = "0123456789abcdef" }));
        Assert.Empty(Annotations.Validate(new ConsumerOptions { AllowUnauthenticatedSubmit = true }));
    }

    [Fact]
    public void ASubmitSecretShorterThanSixteenCharactersIsRejected() =>
        Assert.Equal([nameof(ConsumerOptions.SubmitSecret)], Annotations.InvalidMembers(new ConsumerOptions { SubmitSecret = "short" }));

    [Fact]
    public void DefaultDelayPerValueIsOneMillisecond() =>
        Assert.Equal(TimeSpan.FromMilliseconds(1), new ConsumerOptions().DelayPerValue);

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void RateLimitOutsideZeroToOneMillionIsRejected(double rateLimit) =>
        Assert.Equal([nameof(ConsumerOptions.RateLimit)], Annotations.InvalidMembers(new ConsumerOptions { RateLimit = rateLimit, IsDevelopment = true }));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    public void FailureRateIsAProbability(double failureRate) =>
        Assert.Equal([nameof(ConsumerOptions.FailureRate)], Annotations.InvalidMembers(new ConsumerOptions { FailureRate = failureRate, IsDevelopment = true }));

    [Fact]
    public void MaxConcurrencyMustBePositive() =>
        Assert.Equal([nameof(ConsumerOptions.MaxConcurrency)], Annotations.InvalidMembers(new ConsumerOptions { MaxConcurrency = 0, IsDevelopment = true }));

    [Fact]
    public void DelayPerValueAboveOneSecondIsRejected() =>
        Assert.Equal([nameof(ConsumerOptions.DelayPerValue)], Annotations.InvalidMembers(new ConsumerOptions { DelayPerValue = TimeSpan.FromSeconds(2), IsDevelopment = true }));

    [Fact]
    public void TheQueueMustHoldAFullBatch() =>
        Assert.Equal([nameof(ConsumerOptions.QueueCapacity)], Annotations.InvalidMembers(new ConsumerOptions { MaxBatchSize = 1000, QueueCapacity = 10, IsDevelopment = true }));
}
