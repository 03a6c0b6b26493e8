namespace TaskPipeline.Producer;

/// <summary>
/// What generation has done in this process, for <c>/api/pipeline</c>: how many tasks it stored, and whether it has
/// finished (Producer:MaxTasks reached). Written by the one Generation/GenerationService, read by any request; beside
/// <see cref="BacklogGate"/> because generation and the API share it.
/// </summary>
internal sealed class GenerationProgress
{
    private long _generated;
    private volatile bool _finished;

    public long Generated => Interlocked.Read(ref _generated);

    public bool Finished => _finished;

    public void Stored(int count) => Interlocked.Add(ref _generated, count);

    public void Finish() => _finished = true;
}
