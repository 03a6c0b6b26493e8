namespace TaskPipeline.Benchmarks;

/// <summary>
/// Whether every task of a soak run ended exactly once, from what the server counts: rows inserted and deleted
/// (pg_stat_user_tables, cumulative), rows left, and terminal transitions (the <c>task_event_seq</c> numbers issued; a
/// retry would reopen a task and number it again, and no retry is made). After the Producer stops, the tasks it had not
/// sent stay received: they are <see cref="Open"/>, not lost.
/// </summary>
/// <param name="Inserted">n_tup_ins of tasks.</param>
/// <param name="Deleted">n_tup_del (retention).</param>
/// <param name="Left">count(*) at the end.</param>
/// <param name="Open">Left received or processing when the Producer had stopped.</param>
/// <param name="NotDone">Left failed or canceled.</param>
/// <param name="Ended">Terminal transitions: task_event_seq's last value.</param>
/// <param name="ExactlyOnce">Inserted = Left + Deleted, Ended = Inserted − Open, NotDone = 0.</param>
internal sealed record SoakAudit(long Inserted, long Deleted, long Left, long Open, long NotDone, long Ended, bool ExactlyOnce);
