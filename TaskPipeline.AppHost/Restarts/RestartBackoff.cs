namespace TaskPipeline.AppHost.Restarts;

/// <summary>
/// One resource's restarts: how long to wait before the next one, or that the cap is reached. Only restarts within the
/// window count, for both the doubling and the cap: a resource that has run well for a window starts again from the
/// first delay.
/// </summary>
internal sealed class RestartBackoff(RestartSettings settings)
{
    private readonly Queue<DateTimeOffset> _restarts = new();

    /// <summary>Restarts within the window, as of the last <see cref="Next"/>.</summary>
    public int RecentRestarts => _restarts.Count;

    /// <summary>Every restart since the app started (what the dashboard shows).</summary>
    public int TotalRestarts { get; private set; }

    /// <summary>The wait before restarting after an exit at <paramref name="now"/>; null when the cap is reached.</summary>
    public TimeSpan? Next(DateTimeOffset now)
    {
        while (_restarts.TryPeek(out var oldest) && now - oldest >= settings.Window)
        {
            _restarts.Dequeue();
        }

        if (_restarts.Count >= settings.MaxRestarts)
        {
            return null;
        }

        // 2^n overflows long before the cap matters: stop doubling once past the maximum.
        var delay = settings.InitialDelay;
        for (var i = 0; i < _restarts.Count && delay < settings.MaxDelay; i++)
        {
            delay *= 2;
        }

        _restarts.Enqueue(now);
        TotalRestarts++;
        return delay < settings.MaxDelay ? delay : settings.MaxDelay;
    }

    /// <summary>Someone started the resource by hand: the next failure starts from the first delay.</summary>
    public void Reset() => _restarts.Clear();
}
