namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// One resource replica's output: printed through the shared <see cref="OutputSink"/> and kept in a bounded ring
/// buffer, so tests can read what a service said and start-up failures can quote its last lines.
/// </summary>
internal sealed class ResourceLog(string label, OutputSink sink, int capacity = ResourceLog.DefaultCapacity)
{
    public const int DefaultCapacity = 20_000;

    private readonly Queue<string> lines = new();
    private readonly Lock gate = new();

    public string Label { get; } = label;

    public OutputSink Sink { get; } = sink;

    /// <summary>A line the child wrote.</summary>
    public void Add(string line)
    {
        line = Sink.Mask(line);
        Keep(line);
        Sink.WriteLine(Label, line);
    }

    /// <summary>Something the AppHost says about this resource (exits, restarts): printed as the AppHost's, kept here too.</summary>
    public void Note(string message)
    {
        message = Sink.Mask(message);
        Keep($"[apphost] {message}");
        Sink.WriteLine(OutputSink.AppHostLabel, message);
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (gate)
        {
            return [.. lines];
        }
    }

    public IReadOnlyList<string> Tail(int count)
    {
        lock (gate)
        {
            return [.. lines.Skip(Math.Max(0, lines.Count - count))];
        }
    }

    private void Keep(string line)
    {
        lock (gate)
        {
            if (lines.Count == capacity)
            {
                lines.Dequeue();
            }

            lines.Enqueue(line);
        }
    }
}
