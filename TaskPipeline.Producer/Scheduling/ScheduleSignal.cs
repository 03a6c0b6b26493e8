namespace TaskPipeline.Producer.Scheduling;

/// <summary>
/// Wakes the scheduler early when a task is scheduled before the time it planned to wake at (it sleeps until the
/// earliest due task it knows of, up to <see cref="SchedulerService.MaxSleep"/>). A wake that arrives while the scheduler
/// is awake is kept for its next sleep, so a task scheduled meanwhile is never slept past.
/// </summary>
internal sealed class ScheduleSignal(TimeProvider time)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _plannedWake = DateTimeOffset.MinValue;

    /// <summary>A task due at <paramref name="runAt"/> was stored as scheduled.</summary>
    public void Scheduled(DateTimeOffset runAt)
    {
        lock (_lock)
        {
            if (runAt < _plannedWake || _plannedWake == DateTimeOffset.MinValue)
            {
                _wake.TrySetResult();
            }
        }
    }

    /// <summary>Sleeps <paramref name="wait"/>, or less when <see cref="Scheduled"/> is told of an earlier task.</summary>
    public async Task SleepAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Task woken;
        lock (_lock)
        {
            _plannedWake = time.GetUtcNow() + wait;
            woken = _wake.Task;
        }

        try
        {
            if (!woken.IsCompleted && wait > TimeSpan.Zero)
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
                // Awake: every task scheduled from now on wakes the next sleep at once (MinValue), until it is planned.
                _plannedWake = DateTimeOffset.MinValue;
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }
}
