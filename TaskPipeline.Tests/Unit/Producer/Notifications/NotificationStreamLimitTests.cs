extern alias producer;

using Microsoft.Extensions.Options;
using producer::TaskPipeline.Producer.Notifications;

namespace TaskPipeline.Tests.Unit.Producer.Notifications;

public sealed class NotificationStreamLimitTests
{
    [Fact]
    public void EachClientHasItsOwnSlotsAndAClosedStreamFreesOneOnce()
    {
        var limit = new NotificationStreamLimit(Options.Create(new NotificationOptions { MaxStreamsPerPrincipal = 2 }));
        var first = limit.TryAcquire("ApiKey:a");
        Assert.NotNull(first);
        Assert.NotNull(limit.TryAcquire("ApiKey:a"));
        Assert.Null(limit.TryAcquire("ApiKey:a"));
        Assert.NotNull(limit.TryAcquire("ApiKey:b"));

        first.Dispose();
        first.Dispose();
        Assert.Equal(1, limit.OpenFor("ApiKey:a"));
        Assert.NotNull(limit.TryAcquire("ApiKey:a"));
        Assert.Null(limit.TryAcquire("ApiKey:a"));
    }
}
