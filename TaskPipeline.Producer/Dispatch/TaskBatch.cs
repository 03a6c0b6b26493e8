using System.Diagnostics;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// Stored tasks on their way to a Consumer, in creation order; <paramref name="Origins"/> are the spans that stored
/// them (none for tasks the outbox sweep found), which the dispatch span links to.
/// </summary>
internal sealed record TaskBatch(ReadOnlyMemory<NewTask> Tasks, IReadOnlyList<ActivityContext>? Origins = null)
{
    public int Count => Tasks.Length;

    /// <summary>The priority of the batch's tasks (the dispatch queue keeps one priority per batch).</summary>
    public int Priority => Tasks.IsEmpty ? TaskLimits.DefaultPriority : Tasks.Span[0].Priority;

    /// <summary>The dispatch queue's order of arrival of the first task: what is requeued keeps its age.</summary>
    public long Sequence { get; set; }

    /// <summary>
    /// For a batch made of several (the queue joins batches, and a requeued tail may span several): where each part
    /// starts and when it arrived, in order. Null: one part, arrived at <see cref="Sequence"/>.
    /// </summary>
    public (int Start, long Sequence)[]? Segments { get; init; }

    /// <summary>The parts of the batch, as <see cref="Segments"/> says or as one part.</summary>
    public IEnumerable<(int Start, long Sequence)> Parts => Segments ?? [(0, Sequence)];

    /// <summary>The tasks after the first <paramref name="taken"/>, each part keeping when it arrived.</summary>
    public TaskBatch After(int taken)
    {
        var parts = new List<(int Start, long Sequence)>();
        foreach (var (start, arrival) in Parts)
        {
            if (start <= taken)
            {
                // The part the tail begins in (the last one starting at or before it) becomes the tail's first.
                parts.Clear();
                parts.Add((0, arrival));
            }
            else
            {
                parts.Add((start - taken, arrival));
            }
        }

        return new TaskBatch(Tasks[taken..], Origins)
        {
            Sequence = parts[0].Sequence,
            Segments = parts.Count > 1 ? [.. parts] : null,
            ReadAsOldest = ReadAsOldest,
        };
    }

    /// <summary>How the dispatch queue chose this batch when a lower, older one waited (its share's bookkeeping).</summary>
    public bool? ReadAsOldest { get; set; }

    /// <summary>This batch when its tasks share one priority (the usual case), else one batch per priority, in order.</summary>
    public IEnumerable<TaskBatch> ByPriority()
    {
        var span = Tasks.Span;
        var mixed = false;
        for (var i = 1; i < span.Length && !mixed; i++)
        {
            mixed = span[i].Priority != span[0].Priority;
        }

        if (!mixed)
        {
            return [this];
        }

        var tasks = Tasks.ToArray();
        return tasks.GroupBy(static task => task.Priority)
            .Select(group => new TaskBatch(group.ToArray(), Origins))
            .ToList();
    }
}
