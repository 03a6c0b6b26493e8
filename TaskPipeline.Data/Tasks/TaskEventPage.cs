namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Event numbers read in one statement, in order, with the tasks when they were asked for (else empty), and that
/// statement's snapshot (<c>pg_current_snapshot()</c>, as text).
/// </summary>
public sealed record TaskEventPage(IReadOnlyList<long> Sequences, IReadOnlyList<TaskEvent> Events, string Snapshot);
