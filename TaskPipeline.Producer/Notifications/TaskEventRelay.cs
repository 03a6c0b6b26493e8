using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Notifications;
using TaskPipeline.ServiceDefaults;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Notifications;

/// <summary>
/// Reads terminal state changes from the tasks table, in <c>event_seq</c> order, and publishes them to the
/// <see cref="TaskEventHub"/>: woken by PostgreSQL (LISTEN <see cref="TaskNotifications.EventsChannel"/>, one
/// connection per process, sent by whichever service made the change), and every <see cref="PollInterval"/> in case a
/// notification was lost while reconnecting.
/// <para>
/// Numbers are taken when a statement runs but become visible when its transaction commits, so a higher number can
/// appear before a lower one. Publishing past such a gap could make a client that reconnects with the higher id miss
/// the lower one for good, so the relay stops at a gap until it is filled or known to stay empty: once every
/// transaction that was running when the gap was seen has ended (its snapshot's xip list), a number still missing was
/// rolled back or thrown away (an UPDATE that re-evaluates a row after waiting for its lock draws a new number).
/// </para>
/// <para>
/// Cost: reads are at least <see cref="CoalesceDelay"/> apart, so a burst of completions is one read, not one per
/// statement. While no stream is open, notifications are not followed (at low rates that was a read per completed
/// task), only the numbers are read (the index), not the tasks, every <see cref="UnobservedPollInterval"/>; a stream
/// that opens then first asks for a read to the end (<see cref="TaskEventHub.CatchUpAsync"/>). The database sends the
/// notification only while a Producer watches (<see cref="TaskEventWatchers"/>): the relay holds its row while streams
/// are open, so completions cost nothing extra while nobody listens.
/// </para>
/// </summary>
internal sealed class TaskEventRelay(
    DatabaseListener listener,
    TaskEvents query,
    TaskEventWatchers watchers,
    TaskEventHub hub,
    IOptions<ProducerOptions> options,
    TimeProvider time,
    BackgroundLoops loops,
    ILogger<TaskEventRelay> logger) : BackgroundService
{
    public const int PageSize = 1000;

    /// <summary>Numbers per read while no stream listens.</summary>
    private const int UnobservedPageSize = 10_000;

    /// <summary>How often the table is read without a notification.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The same while no stream is open: the poll only covers notifications lost while reconnecting, and unobserved
    /// it only moves the position, so an idle Producer need not read every other second.
    /// </summary>
    private static readonly TimeSpan UnobservedPollInterval = TimeSpan.FromSeconds(10);

    /// <summary>The least time between two reads: notifications that arrive meanwhile share the next one.</summary>
    private static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>How soon a gap is looked at again (its commit also wakes the relay at once).</summary>
    private static readonly TimeSpan GapRecheckInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a stream waiting to subscribe waits for a gap to settle before it starts at the gap.</summary>
    private static readonly TimeSpan CatchUpGapWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A gap is skipped after this even while transactions of its snapshot still run (an unrelated long transaction
    /// would otherwise hold every stream).
    /// </summary>
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the database keeps notifying after the relay's last word: a Producer that crashed stops it by then.</summary>
    private static readonly TimeSpan WatchLease = TimeSpan.FromSeconds(60);

    /// <summary>The watch is renewed this often while streams are open (the relay wakes at least every PollInterval then).</summary>
    private static readonly TimeSpan WatchRenewal = TimeSpan.FromSeconds(20);

    private readonly string _watcher = $"producer-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = loops.RunAsync(
            "task-event-listener",
            token => listener.ListenAsync(TaskNotifications.EventsChannel, _ => Wake(), Wake, token),
            stoppingToken);
        try
        {
            await loops.RunAsync("task-event-relay", RelayAsync, stoppingToken);
        }
        finally
        {
            hub.Complete();
        }

        await listening;
    }

    private void Wake()
    {
        if (hub.SubscriberCount > 0 || hub.CatchUpRequested)
        {
            _wake.Writer.TryWrite(true);
        }
    }

    private void WakeForCatchUp() => _wake.Writer.TryWrite(true);

    private async Task RelayAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var outage = new DatabaseOutage("reading task events", new RetryBackoff(settings.RetryBaseDelay, settings.RetryMaxDelay, Random.Shared), time, logger);
        var position = await RetryAsync(query.LatestAsync, outage, cancellationToken);
        hub.OnCatchUpRequested(WakeForCatchUp);
        hub.Start(position);
        NotificationLog.RelayStarted(logger, position);

        // The oldest unresolved gap: the snapshot that saw it and the highest number that read saw.
        (string Snapshot, long Horizon, long Since)? pending = null;
        // Gaps below this are known to stay empty.
        long settledThrough = 0;
        // When the watch was last written; null while the database is not asked to notify.
        long? watchedAt = null;
        while (true)
        {
            TaskEventPage page;
            bool observed;
            try
            {
                // Settle first, read after: a transaction that commits in between is then in the read.
                if (pending is { } gap
                    && (time.GetElapsedTime(gap.Since) >= GapTimeout || await query.IsSettledAsync(gap.Snapshot, cancellationToken)))
                {
                    settledThrough = Math.Max(settledThrough, gap.Horizon);
                    pending = null;
                }

                observed = hub.SubscriberCount > 0;
                watchedAt = await KeepWatchAsync(observed || hub.CatchUpRequested, watchedAt, cancellationToken);
                page = await query.ReadAsync(position, observed ? PageSize : UnobservedPageSize, observed, cancellationToken);
                outage.OnSuccess();
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(outage.OnFailure(exception), time, cancellationToken);
                continue;
            }

            var sequences = page.Sequences;
            var publishable = 0;
            var blocked = false;
            var expected = position + 1;
            foreach (var sequence in sequences)
            {
                if (sequence != expected)
                {
                    if (sequence > settledThrough)
                    {
                        pending ??= (page.Snapshot, sequences[^1], time.GetTimestamp());
                        blocked = true;
                        break;
                    }

                    NotificationLog.EventGapSkipped(logger, expected, sequence - 1);
                }

                publishable++;
                expected = sequence + 1;
            }

            if (publishable > 0)
            {
                if (observed)
                {
                    hub.Publish(publishable == page.Events.Count ? page.Events : page.Events.Take(publishable).ToArray());
                }
                else if (!hub.TryAdvanceUnobserved(sequences[publishable - 1]))
                {
                    // A stream opened after the read: read again, with the tasks, from where it starts.
                    continue;
                }

                position = sequences[publishable - 1];
            }

            if (!blocked && sequences.Count == (observed ? PageSize : UnobservedPageSize))
            {
                continue;
            }

            // As far as the table goes for now: a stream that waits may subscribe. A gap is most often rows retention
            // deleted, known for such at the next look (GapRecheckInterval); only one that stays open longer (a
            // transaction still running) lets the stream start before it, and publishes what is past it once it closes.
            if (!blocked || (pending is { } open && time.GetElapsedTime(open.Since) >= CatchUpGapWait))
            {
                hub.CaughtUp();
            }

            await WaitAsync(blocked ? GapRecheckInterval : observed ? PollInterval : UnobservedPollInterval, cancellationToken);
            await Task.Delay(CoalesceDelay, time, cancellationToken);
        }
    }

    /// <summary>
    /// Asks the database to notify while streams are open or about to open, and to stop once they are closed. The watch
    /// is written before the read that follows, so a completion the read misses is one the database notifies. A Producer
    /// that stops leaves its watch to lapse after <see cref="WatchLease"/>.
    /// </summary>
    private async Task<long?> KeepWatchAsync(bool wanted, long? watchedAt, CancellationToken cancellationToken)
    {
        if (wanted && (watchedAt is not { } since || time.GetElapsedTime(since) >= WatchRenewal))
        {
            await watchers.WatchAsync(_watcher, WatchLease, cancellationToken);
            return time.GetTimestamp();
        }

        if (!wanted && watchedAt is not null)
        {
            await watchers.UnwatchAsync(_watcher, cancellationToken);
            return null;
        }

        return watchedAt;
    }

    private async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _wake.Reader.ReadAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> read, DatabaseOutage outage, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var result = await read(cancellationToken);
                outage.OnSuccess();
                return result;
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(outage.OnFailure(exception), time, cancellationToken);
            }
        }
    }
}
