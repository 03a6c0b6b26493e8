using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TaskPipeline.Consumer.Processing;

/// <summary>
/// Keeps the claims alive and the table clean: every LeaseDuration/6 renews this instance's leases that are at least
/// that old (a claim the database no longer has as ours, e.g. a canceled task, is stopped); every LeaseDuration/2
/// returns the tasks of consumers that died with a lease to <c>received</c>. Stops last: then releases whatever this
/// instance still holds.
/// A lease is renewed when between 1/6 and 1/3 of it has passed, as often as when every lease was renewed every
/// LeaseDuration/3, and survives as many failed renewals; but work that ends within moments of its claim, which at
/// full speed is nearly all of it, is never renewed: renewing it rewrote thousands of rows for nothing.
/// </summary>
internal sealed class LeaseKeeper : BackgroundService
{
    // The release runs after everything else stopped, maybe after the host's stop budget ran out; it gets its own.
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    private readonly TaskStore _store;
    private readonly WorkQueue _queue;
    private readonly ConsumerMetrics _metrics;
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaseKeeper> _logger;

    public LeaseKeeper(
        TaskStore store,
        WorkQueue queue,
        ConsumerMetrics metrics,
        IOptions<ConsumerOptions> options,
        TimeProvider time,
        ILogger<LeaseKeeper> logger)
    {
        _store = store;
        _queue = queue;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ReleaseUnfinishedAsync();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            EveryAsync(RenewalPeriod, RenewAsync, stoppingToken),
            EveryAsync(_options.LeaseDuration / 2, ExpireAsync, stoppingToken));

    private async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> action, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, _time);
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
        var now = _time.GetTimestamp();
        var minimumAge = RenewalPeriod;
        var held = Array.FindAll(_queue.SnapshotInFlight(), h => _time.GetElapsedTime(h.Value.LeaseFrom, now) >= minimumAge);
        if (held.Length == 0)
        {
            return;
        }

        HashSet<Guid> renewed;
        try
        {
            renewed = await _store.RenewAsync([.. held.Select(h => h.Key)], _options.LeaseDuration, cancellationToken);
        }
        catch (NpgsqlException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Next tick tries again; a lease outlives two missed renewals.
            ConsumerLog.LeaseRenewalFailed(_logger, held.Length, exception.Message);
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
                _queue.Lose(id, claim);
                lost++;
            }
        }

        if (lost > 0)
        {
            ConsumerLog.LeasesLost(_logger, lost);
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
                result = await _store.ExpireStaleLeasesAsync(_options.MaxAttempts, cancellationToken);
                _metrics.DeadLettered(result.DeadLetteredByType);
                expired += result.Expired;
                deadLettered += result.DeadLettered;
            }
            while (result.Expired == TaskStore.ExpireBatchSize && !cancellationToken.IsCancellationRequested);

            if (expired > 0)
            {
                ConsumerLog.LeasesExpired(_logger, expired, deadLettered);
            }
        }
        catch (NpgsqlException exception) when (!cancellationToken.IsCancellationRequested)
        {
            ConsumerLog.LeaseExpiryFailed(_logger, exception.Message);
        }
    }

    private async Task ReleaseUnfinishedAsync()
    {
        var held = _queue.SnapshotInFlight();
        if (held.Length == 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(ReleaseTimeout, _time);
        try
        {
            var released = await _store.ReleaseAsync([.. held.Select(h => h.Key)], timeout.Token);
            foreach (var (id, claim) in held)
            {
                _queue.Lose(id, claim);
            }

            ConsumerLog.LeasesReleased(_logger, released, held.Length);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException)
        {
            ConsumerLog.ReleaseFailed(_logger, held.Length, exception);
        }
    }
}
