using System.ComponentModel.DataAnnotations;
using TaskPipeline.Data;

namespace TaskPipeline.Producer.Retention;

/// <summary>The <c>Retention</c> section: how long finished tasks are kept, and how the deleting is paced.</summary>
internal sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Done tasks are deleted this long after they finished; 0 keeps them.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00", ErrorMessage = "must be from 00:00:00 (keep) to 3650.00:00:00")]
    public TimeSpan Done { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Failed (dead-lettered) tasks are deleted this long after they failed; 0 keeps them.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00", ErrorMessage = "must be from 00:00:00 (keep) to 3650.00:00:00")]
    public TimeSpan Failed { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Canceled tasks are deleted this long after they were canceled; 0 keeps them.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00", ErrorMessage = "must be from 00:00:00 (keep) to 3650.00:00:00")]
    public TimeSpan Canceled { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired tasks are deleted and the counters folded.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "must be from 00:00:00.100 to 01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most tasks one delete statement removes (one short transaction each).</summary>
    [Range(1, 100_000, ErrorMessage = "must be from 1 to 100000 tasks")]
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// A pause after each full batch, to slow deleting further. None by default: deletes already run one statement at a
    /// time on one connection, so they take at most one backend's share of the database, and a pause that kept them
    /// slower than the pipeline finishes tasks would let the table grow without end.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "must be from 00:00:00 to 00:01:00")]
    public TimeSpan BatchPause { get; set; } = TimeSpan.Zero;

    /// <summary>The states whose tasks are deleted, with their age; a state kept forever is left out.</summary>
    public IEnumerable<(TaskState State, TimeSpan Age)> Rules()
    {
        if (Done > TimeSpan.Zero)
        {
            yield return (TaskState.Done, Done);
        }

        if (Failed > TimeSpan.Zero)
        {
            yield return (TaskState.Failed, Failed);
        }

        if (Canceled > TimeSpan.Zero)
        {
            yield return (TaskState.Canceled, Canceled);
        }
    }
}
