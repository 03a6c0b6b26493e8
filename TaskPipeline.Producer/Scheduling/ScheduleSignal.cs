namespace TaskPipeline.Producer.Scheduling;

/// <summary>
/// Wakes the scheduler early when a task is scheduled before the time it planned to wake at (it sleeps until the
/// earliest due task it knows of, up to <see cref="SchedulerService.MaxSleep"/>). A task scheduled while the scheduler
/// is awake (its statement may have run before the task was stored) shortens its next sleep to the task's due time, no
/// more: a stream of tasks due far ahead does not keep it querying. Due times are the database's, compared with this
/// process's clock: a skew between the two moves a wake by as much, and the next look (at most MaxSleep) mends it.
/// </summary>
internal sealed class ScheduleSignal(TimeProvider time)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // While asleep: when the scheduler will wake. While awake: MinValue, and the earliest due time told meanwhile.
    private DateTimeOffset _plannedWake = DateTimeOffset.MinValue;
    private DateTimeOffset _earliestWhileAwake = DateTimeOffset.MaxValue;

    /// <summary>A task due at <paramref name="runAt"/> was stored as scheduled.</summary>
    public void Scheduled(DateTimeOffset runAt)
    {
        lock (_lock)
        {
            if (_plannedWake == DateTimeOffset.MinValue)
            {
                if (runAt < _earliestWhileAwake)
                {
                    _earliestWhileAwake = runAt;
                }
            }
            else if (runAt < _plannedWake)
            {
                _wake.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Sleeps <paramref name="wait"/>, or less: until a task told of while awake is due, or until <see cref="Scheduled"/>
    /// is told of an earlier one.
    /// </summary>
    public async Task SleepAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Task woken;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_earliestWhileAwake != DateTimeOffset.MaxValue)
            {
                var untilDue = _earliestWhileAwake - now;
                wait = untilDue < wait ? (untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero) : wait;
                _earliestWhileAwake = DateTimeOffset.MaxValue;
            }

            _plannedWake = now + wait;
            woken = _wake.Task;
        }

        try
        {
            if (wait > TimeSpan.Zero)
            {
                using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(woken, Task.Delay(wait, time, sleeping.Token));
                await sleeping.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            lock (_lock)
            {
                _plannedWake = DateTimeOffset.MinValue;
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }
}
