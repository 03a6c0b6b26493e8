namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>
/// One profile at a time: two EventPipe sessions or dumps at once would slow the service twice over and skew each
/// other's results. A second request is refused (409) rather than queued behind a five-minute CPU profile.
/// </summary>
internal sealed class ProfilingGate
{
    private int _busy;

    public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _busy, 0);
}
