extern alias producer;

using System.Text.Json;
using producer::TaskPipeline.Producer.Api;

namespace TaskPipeline.Tests.Unit.Producer.Api;

public sealed class DueTimeRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NeitherFieldMeansNow()
    {
        var errors = new Dictionary<string, string[]>();
        var due = DueTimeRequest.Resolve(null, null, Now, errors);
        Assert.Empty(errors);
        Assert.False(due!.Value.IsDelayed);
    }

    [Theory]
    [InlineData("2026-12-05T10:00:05Z", 5)]
    [InlineData("2026-12-05T11:00:05+01:00", 5)]
    [InlineData("2026-12-05t10:00:00.250z", 0.25)]
    [InlineData("2026-12-05 09:30:01-00:30", 1)]
    public void RunAtIsAnRfc3339InstantInTheFuture(string runAt, double secondsAhead)
    {
        var errors = new Dictionary<string, string[]>();
        var due = DueTimeRequest.Resolve(runAt, null, Now, errors);
        Assert.Empty(errors);
        Assert.Equal(Now.AddSeconds(secondsAhead), due!.Value.At);
        Assert.Null(due.Value.Delay);
    }

    [Theory]
    [InlineData("2026-12-05T10:00:00Z", "in the future")]
    [InlineData("2026-12-04T10:00:00Z", "in the future")]
    [InlineData("2027-12-06T10:00:00Z", "at most 365 days")]
    [InlineData("2026-12-05T10:00:05", "RFC 3339")]
    [InlineData("2026-12-05", "RFC 3339")]
    [InlineData("tomorrow", "RFC 3339")]
    [InlineData("2026-13-05T10:00:05Z", "RFC 3339")]
    public void ABadRunAtIsNamedWithItsRule(string runAt, string rule)
    {
        var errors = new Dictionary<string, string[]>();
        Assert.Null(DueTimeRequest.Resolve(runAt, null, Now, errors));
        Assert.Contains(rule, Assert.Single(errors["runAt"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("0.5", 0.5)]
    [InlineData("\"PT1M30S\"", 90)]
    [InlineData("\"PT0.5S\"", 0.5)]
    [InlineData("\"P1D\"", 86_400)]
    [InlineData("\"P1W\"", 604_800)]
    [InlineData("\"P1DT2H\"", 93_600)]
    [InlineData("\"P365D\"", 31_536_000)]
    public void DelayIsSecondsOrAnIsoDuration(string json, double seconds)
    {
        var errors = new Dictionary<string, string[]>();
        var due = DueTimeRequest.Resolve(null, JsonDocument.Parse(json).RootElement, Now, errors);
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), due!.Value.Delay);
        Assert.Null(due.Value.At);
    }

    [Theory]
    [InlineData("0", "more than 0")]
    [InlineData("-5", "more than 0")]
    [InlineData("31536001", "at most 365 days")]
    [InlineData("\"P366D\"", "at most 365 days")]
    [InlineData("\"P1M\"", "years or months")]
    [InlineData("\"P1Y\"", "years or months")]
    [InlineData("\"PT\"", "ISO 8601")]
    [InlineData("\"P\"", "ISO 8601")]
    [InlineData("\"90\"", "ISO 8601")]
    [InlineData("\"5 minutes\"", "ISO 8601")]
    [InlineData("true", "ISO 8601")]
    [InlineData("[1]", "ISO 8601")]
    public void ABadDelayIsNamedWithItsRule(string json, string rule)
    {
        var errors = new Dictionary<string, string[]>();
        Assert.Null(DueTimeRequest.Resolve(null, JsonDocument.Parse(json).RootElement, Now, errors));
        Assert.Contains(rule, Assert.Single(errors["delay"]), StringComparison.Ordinal);
    }

    [Fact]
    public void RunAtAndDelayTogetherAreRefused()
    {
        var errors = new Dictionary<string, string[]>();
        Assert.Null(DueTimeRequest.Resolve("2026-12-05T10:00:05Z", JsonDocument.Parse("5").RootElement, Now, errors));
        Assert.Contains("not", Assert.Single(errors["delay"]), StringComparison.Ordinal);
    }

    [Fact]
    public void ADelayOfJsonNullIsNoDelay()
    {
        var errors = new Dictionary<string, string[]>();
        var due = DueTimeRequest.Resolve(null, JsonDocument.Parse("null").RootElement, Now, errors);
        Assert.Empty(errors);
        Assert.False(due!.Value.IsDelayed);
    }
}
