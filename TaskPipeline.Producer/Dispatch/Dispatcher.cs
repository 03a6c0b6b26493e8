using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Contracts;
using TaskPipeline.Data.Tasks;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// Sends queued batches to the Consumer with DispatchConcurrency calls in flight. Transient failures retry the same
/// batch with backoff (INTERNAL, UNKNOWN and DEADLINE_EXCEEDED at most DispatchMaxAttempts times, then the batch is
/// given back to the outbox); a batch or tail the Consumer defers (rate limited, or full: it says how long to wait) goes
/// back to the queue's front, where it keeps its priority and age, and the loop waits as long as the Consumer said; a
/// batch the Consumer rejects is left to the outbox. On stopping it keeps sending what is queued for <see cref="DrainTimeout"/>; whatever is unsent then
/// is still received in the database and goes out after a restart.
/// </summary>
internal sealed class Dispatcher(
    DispatchQueue queue,
    InFlightTasks inFlight,
    ConsumerClients consumers,
    IOptions<ProducerOptions> options,
    ProducerMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    BackgroundLoops supervisor,
    ILogger<Dispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly RetryBackoff _backoff = new(options.Value.RetryBaseDelay, options.Value.RetryMaxDelay, Random.Shared);

    // One outage is logged once, whichever of the concurrent loops meets it first.
    private int _inOutage;
    private long _outageStarted;
    private long _outageRetries;
    private int _draining;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        void Drain(object? state)
        {
            if (Interlocked.Exchange(ref _draining, 1) == 0)
            {
                abort.CancelAfter(DrainTimeout);
            }
        }

        using var onApplicationStopping = lifetime.ApplicationStopping.Register(Drain, null);
        using var onStopping = stoppingToken.Register(Drain, null);

        var loops = new Task[options.Value.DispatchConcurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            // A loop that fails stops the service: alone, its batch would stay in flight and the sweep would skip it.
            loops[i] = supervisor.RunAsync($"dispatch-{i}", RunLoopAsync, abort.Token);
        }

        await Task.WhenAll(loops);
        if (inFlight.Count > 0)
        {
            ProducerLog.DispatchStoppedWithUnsent(logger, inFlight.Count);
        }
    }

    private async Task RunLoopAsync(CancellationToken abort)
    {
        var batchSize = options.Value.BatchSize;
        var requests = new SubmitRequestBuilder();
        try
        {
            // Ends when the queue is complete (generation and sweep stopped) and empty, or when the drain time is up.
            while (await queue.ReadAsync(batchSize, abort) is { } batch)
            {
                await SendAsync(batch, requests, abort);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(TaskBatch batch, SubmitRequestBuilder requests, CancellationToken abort)
    {
        // Every Submit attempt for this batch is a child call of this span, and carries its trace to the Consumer.
        using var activity = ProducerTracing.StartDispatch(batch);
        var settings = options.Value;
        var pending = batch.Tasks;
        var request = requests.Build(pending.Span);
        var attempt = 0;
        var boundedFailures = 0;
        while (true)
        {
            var client = consumers.Next();
            var started = time.GetTimestamp();
            SubmitReply reply;
            try
            {
                reply = await client.SubmitAsync(request, deadline: time.GetUtcNow().UtcDateTime + settings.DispatchTimeout, cancellationToken: abort);
            }
            catch (RpcException exception) when (abort.IsCancellationRequested)
            {
                // Left in flight: the process is stopping and the tasks are received in the outbox.
                throw new OperationCanceledException("Dispatch stopped.", exception, abort);
            }
            catch (RpcException exception) when (IsBounded(exception.StatusCode) && ++boundedFailures >= settings.DispatchMaxAttempts)
            {
                // Retried long enough: the batch may be what fails (a poison task, a claim too slow for the deadline).
                // Pinned here, the sweep would skip it for good; given back, it goes out again after RedispatchAfter,
                // maybe to another replica, and the rest of the queue moves on meanwhile.
                metrics.DispatchCompleted(time.GetElapsedTime(started), exception.StatusCode);
                metrics.GivenBack(pending.Length, exception.StatusCode);
                activity?.SetStatus(ActivityStatusCode.Error, exception.Status.Detail);
                ProducerLog.BatchGivenBack(logger, pending.Length, boundedFailures, exception.StatusCode, exception.Status.Detail, settings.RedispatchAfter);
                inFlight.Remove(pending.Span);
                return;
            }
            catch (RpcException exception) when (IsTransient(exception.StatusCode))
            {
                metrics.DispatchCompleted(time.GetElapsedTime(started), exception.StatusCode);
                metrics.DispatchRetried(exception.StatusCode);
                var pushback = PushbackOf(exception);
                var delay = pushback ?? _backoff.Next(attempt);
                attempt++;
                OnUnavailable(exception, delay, attempt);
                if (pushback is not null)
                {
                    // The Consumer is there but full or rate limited: this loop waits out the pushback (given back
                    // before, the batch would be sent again at once by an idle loop), then the batch goes back to the
                    // queue, in its priority's line by age, so that what is more urgent by then goes first.
                    await Task.Delay(delay, time, abort);
                    queue.Requeue(batch, batch.Count - pending.Length);
                    return;
                }

                await Task.Delay(delay, time, abort);
                continue;
            }
            catch (RpcException exception)
            {
                // A retry cannot fix this batch. The rows stay received; the sweep offers them again after RedispatchAfter.
                metrics.DispatchCompleted(time.GetElapsedTime(started), exception.StatusCode);
                OnAnswered();
                activity?.SetStatus(ActivityStatusCode.Error, exception.Status.Detail);
                ProducerLog.BatchRejected(logger, pending.Length, exception.StatusCode, exception.Status.Detail);
                inFlight.Remove(pending.Span);
                return;
            }

            metrics.DispatchCompleted(time.GetElapsedTime(started), StatusCode.OK);
            OnAnswered();
            metrics.Dispatched(reply.Accepted);

            // The batch's head was taken (accepted, or already taken before); the deferred tail is still received.
            var settled = (int)Math.Clamp((long)reply.Accepted + reply.Duplicates, 0, pending.Length);
            inFlight.Remove(pending.Span[..settled]);
            pending = pending[settled..];
            if (pending.IsEmpty)
            {
                return;
            }

            // The deferred tail goes back to the queue (see above) once the Consumer's rate allows more.
            var retryAfter = reply.RetryAfterMs > 0 ? TimeSpan.FromMilliseconds(reply.RetryAfterMs) : settings.RetryBaseDelay;
            await Task.Delay(retryAfter, time, abort);
            queue.Requeue(batch, batch.Count - pending.Length);
            return;
        }
    }

    private static bool IsTransient(StatusCode status) => status is StatusCode.Unavailable or StatusCode.DeadlineExceeded
        or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown
        // Not ours (ours is handled before): the server cancelled, e.g. while shutting down.
        or StatusCode.Cancelled;

    /// <summary>
    /// The transient statuses a batch is retried on at most DispatchMaxAttempts times: the Consumer answered but failed
    /// (INTERNAL, UNKNOWN) or did not answer in time (DEADLINE_EXCEEDED), which the same batch can meet every time.
    /// UNAVAILABLE and RESOURCE_EXHAUSTED are the Consumer saying "later" (down, restarting, full, rate limited): any
    /// batch would fail the same, and giving it back would only make the sweep send it into the same wall, so they are
    /// retried, with backoff or the Consumer's pushback, until it takes work again. ABORTED and CANCELLED (a replica
    /// stopping) say the same.
    /// </summary>
    private static bool IsBounded(StatusCode status) => status is StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded;

    private static TimeSpan? PushbackOf(RpcException exception) =>
        int.TryParse(exception.Trailers.GetValue(SubmitTrailers.RetryPushback), out var milliseconds) && milliseconds >= 0
            ? TimeSpan.FromMilliseconds(milliseconds)
            : null;

    private void OnUnavailable(RpcException exception, TimeSpan delay, int consecutiveFailures)
    {
        Interlocked.Increment(ref _outageRetries);

        // One failed call is no outage: with a replica down, a call can fail while the others answer. The second
        // failure of the same batch in a row is.
        if (consecutiveFailures >= 2 && Interlocked.CompareExchange(ref _inOutage, 1, 0) == 0)
        {
            Interlocked.Exchange(ref _outageStarted, time.GetTimestamp());
            ProducerLog.ConsumerUnavailable(logger, exception.StatusCode, exception.Status.Detail, delay.TotalMilliseconds);
        }
    }

    private void OnAnswered()
    {
        if (Volatile.Read(ref _inOutage) == 1 && Interlocked.CompareExchange(ref _inOutage, 0, 1) == 1)
        {
            var retries = Interlocked.Exchange(ref _outageRetries, 0);
            var seconds = time.GetElapsedTime(Interlocked.Read(ref _outageStarted)).TotalSeconds;
            ProducerLog.ConsumerRecovered(logger, seconds, retries);
        }
        else if (Volatile.Read(ref _inOutage) == 0)
        {
            Interlocked.Exchange(ref _outageRetries, 0);
        }
    }
}
