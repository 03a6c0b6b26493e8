using Npgsql;
using NpgsqlTypes;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// The rules more than one statement applies, written once, and the parameters they all pass.
/// Every state change is ONE conditional statement: replaying or racing one changes nothing. Statements that address
/// tasks by id compare <c>state::text</c>, not <c>state</c>: the partial indexes on <c>state = 'received'</c> /
/// <c>'processing'</c> would otherwise tempt the planner whenever the statistics are stale (a burst moves thousands of
/// rows between states before autoanalyze runs), and scanning a whole state's rows per statement took seconds where
/// the primary key takes milliseconds. The cast makes the primary key the only index that fits.
/// </summary>
internal static class TaskSql
{
    /// <summary>
    /// What every statement that ends a task (done, failed, canceled) sets: when, and the next event number, which the
    /// Producer's notification stream reads and a trigger announces (0002_task_events.sql).
    /// </summary>
    public const string Ended = "done_at = now(), event_seq = nextval('task_event_seq')";

    /// <summary>What a statement that takes a task out of a terminal state clears: it is no longer an event.</summary>
    public const string Reopened = "done_at = NULL, event_seq = NULL";

    /// <summary>
    /// <c>state::text</c> as RETURNING gives it for a dead-lettered task. States come back as text: a data source that
    /// connected before the migration created task_state does not know the enum, and reading it would throw.
    /// </summary>
    public const string FailedState = "failed";

    /// <summary>Columns read by <see cref="TaskColumns.Read"/>, in its order.</summary>
    public const string Columns = "id, type, value, state::text AS state, attempts, last_error, created_at, updated_at, done_at, run_at, priority";

    /// <summary><see cref="Ended"/> for the rows where <paramref name="condition"/> holds; the others stay open.</summary>
    public static string EndedWhen(string condition) =>
        $"done_at = CASE WHEN {condition} THEN now() END, event_seq = CASE WHEN {condition} THEN nextval('task_event_seq') END";

    /// <summary>
    /// Runs a cancel or retry: the statement either changed the task (first column true), or says why not — its
    /// current state (false) — or finds no task (no row).
    /// </summary>
    public static async Task<(bool Changed, TaskRecord Task)?> ChangeAsync(
        NpgsqlDataSource dataSource, string sql, Guid id, TimeSpan? interval, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        if (interval is { } value)
        {
            command.Parameters.Add(Interval(value));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetBoolean(0), TaskColumns.Read(reader, 1)) : null;
    }

    public static NpgsqlParameter<Guid[]> Ids(Guid[] ids) =>
        new() { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };

    public static NpgsqlParameter<TimeSpan> Interval(TimeSpan value) =>
        new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Interval };
}
