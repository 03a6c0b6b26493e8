using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Data;
using TaskPipeline.Data.Notifications;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Consumer.Leases;

/// <summary>
/// Stops work on tasks canceled through the Producer's API as soon as PostgreSQL announces it (LISTEN on
/// <see cref="TaskNotifications.CanceledChannel"/>), instead of at the next lease renewal. The notification only
/// says which task; whether this instance's claim is really gone is asked of the database (the lease renewal's own
/// statement), so a stale or repeated notification never stops work that is still ours. The outcome of a canceled
/// task could not be written anyway: every completion is conditional on the claim still being <c>processing</c>.
/// </summary>
internal sealed partial class CancellationListener(
    DatabaseListener listener,
    TaskLeases leases,
    ConsumerInstance instance,
    WorkQueue queue,
    IOptions<ConsumerOptions> options,
    BackgroundLoops loops,
    ILogger<CancellationListener> logger) : BackgroundService
{
    // Cancellations are rare; past this many pending, the lease renewal (every LeaseDuration/6) catches the rest.
    private const int PendingCapacity = 10_000;

    // Most canceled ids checked per statement.
    private const int RenewBatchSize = 1000;

    private readonly Channel<Guid> _canceled = Channel.CreateBounded<Guid>(new BoundedChannelOptions(PendingCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
        SingleWriter = true,
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = loops.RunAsync(
            "cancellation-listener",
            token => listener.ListenAsync(TaskNotifications.CanceledChannel, OnNotification, static () => { }, token),
            stoppingToken);
        await loops.RunAsync("cancellation-check", StopCanceledWorkAsync, stoppingToken);
        await listening;
    }

    private void OnNotification(string payload)
    {
        if (Guid.TryParse(payload, out var id))
        {
            _canceled.Writer.TryWrite(id);
        }
    }

    private async Task StopCanceledWorkAsync(CancellationToken cancellationToken)
    {
        var reader = _canceled.Reader;
        var ids = new HashSet<Guid>();
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            ids.Clear();
            while (ids.Count < RenewBatchSize && reader.TryRead(out var id))
            {
                ids.Add(id);
            }

            var held = queue.SnapshotInFlight().Where(claim => ids.Contains(claim.Key) && !claim.Value.IsReported).ToArray();
            if (held.Length == 0)
            {
                continue;
            }

            HashSet<Guid> stillOurs;
            try
            {
                stillOurs = await leases.RenewAsync([.. held.Select(claim => claim.Key)], [.. held.Select(claim => claim.Value.Claim)], instance.Id, options.Value.LeaseDuration, cancellationToken);
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                // The lease renewal asks again within LeaseDuration/6 (for work older than that) and stops the work then.
                LogCheckFailed(logger, held.Length, exception.Message);
                continue;
            }

            foreach (var (id, claim) in held)
            {
                if (!stillOurs.Contains(id))
                {
                    queue.Lose(id, claim);
                    LogWorkStopped(logger, id);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Task {TaskId} was canceled: its work stopped")]
    private static partial void LogWorkStopped(ILogger logger, Guid taskId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Checking {Count} claim(s) named in cancel notifications failed; the next lease renewal checks them: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, int count, string reason);
}
