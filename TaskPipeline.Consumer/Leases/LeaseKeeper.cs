using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Data;

namespace TaskPipeline.Consumer.Leases;

/// <summary>
/// Keeps the claims alive and the table clean: every LeaseDuration/6 renews this instance's leases that are at least
/// that old (a claim the database no longer has as ours, e.g. a canceled task, is stopped); every LeaseDuration/2
/// returns the tasks of consumers that died with a lease to <c>received</c>. Stops last: then releases whatever this
/// instance still holds.
/// A lease is renewed when between 1/6 and 1/3 of it has passed, as often as when every lease was renewed every
/// LeaseDuration/3, and survives as many failed renewals; but work that ends within moments of its claim, which at
/// full speed is nearly all of it, is never renewed: renewing it rewrote thousands of rows for nothing.
/// </summary>
internal sealed class LeaseKeeper(
    TaskLeases leases,
    ConsumerInstance instance,
    WorkQueue queue,
    ConsumerMetrics metrics,
    IOptions<ConsumerOptions> options,
    TimeProvider time,
    BackgroundLoops loops,
    ILogger<LeaseKeeper> logger) : BackgroundService
{
    // The release runs after everything else stopped, maybe after the host's stop budget ran out; it gets its own.
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    private readonly string _owner = instance.Id;
    private readonly ConsumerOptions _options = options.Value;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ReleaseUnfinishedAsync();
    }

    // A loop that fails stops the service (and so the other loop): with expiry dead, the tasks of a crashed Consumer
    // would stay processing for good.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            loops.RunAsync("lease-renewal", token => EveryAsync(RenewalPeriod, RenewAsync, token), stoppingToken),
            loops.RunAsync("lease-expiry", token => EveryAsync(_options.LeaseDuration / 2, ExpireAsync, token), stoppingToken));

    private async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> action, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await action(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private TimeSpan RenewalPeriod => _options.LeaseDuration / 6;

    internal async Task RenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        var minimumAge = RenewalPeriod;
        var held = Array.FindAll(queue.SnapshotInFlight(), h => time.GetElapsedTime(h.Value.LeaseFrom, now) >= minimumAge);
        if (held.Length == 0)
        {
            return;
        }

        HashSet<Guid> renewed;
        try
        {
            renewed = await leases.RenewAsync([.. held.Select(h => h.Key)], [.. held.Select(h => h.Value.Claim)], _owner, _options.LeaseDuration, cancellationToken);
        }
        catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            // Next tick tries again; a lease outlives two missed renewals.
            ConsumerLog.LeaseRenewalFailed(logger, held.Length, exception.Message);
            return;
        }

        var lost = 0;
        foreach (var (id, claim) in held)
        {
            if (renewed.Contains(id))
            {
                // Counted from before the statement: the database's new lease is at least as long.
                claim.LeaseFrom = now;
            }

            // A reported claim missing from the renewal was most likely just completed; the completion writer ends it.
            else if (!claim.IsReported)
            {
                queue.Lose(id, claim);
                lost++;
            }
        }

        if (lost > 0)
        {
            ConsumerLog.LeasesLost(logger, lost);
        }
    }

    internal async Task ExpireAsync(CancellationToken cancellationToken)
    {
        try
        {
            ExpiryResult result;
            var expired = 0;
            long deadLettered = 0;
            do
            {
                result = await leases.ExpireStaleAsync(_options.MaxAttempts, cancellationToken);
                metrics.DeadLettered(result.DeadLetteredByType);
                expired += result.Expired;
                deadLettered += result.DeadLettered;
            }
            while (result.Expired == TaskLeases.ExpireBatchSize && !cancellationToken.IsCancellationRequested);

            if (expired > 0)
            {
                ConsumerLog.LeasesExpired(logger, expired, deadLettered);
            }
        }
        catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            ConsumerLog.LeaseExpiryFailed(logger, exception.Message);
        }
    }

    private async Task ReleaseUnfinishedAsync()
    {
        var held = queue.SnapshotInFlight();
        if (held.Length == 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(ReleaseTimeout, time);
        try
        {
            var released = await leases.ReleaseAsync([.. held.Select(h => h.Key)], [.. held.Select(h => h.Value.Claim)], _owner, timeout.Token);
            foreach (var (id, claim) in held)
            {
                queue.Lose(id, claim);
            }

            ConsumerLog.LeasesReleased(logger, released, held.Length);
        }
        catch (Exception exception) when (DatabaseFailure.IsTransient(exception) || exception is OperationCanceledException)
        {
            ConsumerLog.ReleaseFailed(logger, held.Length, exception);
        }
    }
}
