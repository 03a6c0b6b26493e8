using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Events: reads terminal state changes by <c>event_seq</c> (partial index tasks_event_seq_idx), with the snapshot
/// that tells whether an earlier number may still commit.
/// </summary>
public sealed class TaskEvents(NpgsqlDataSource dataSource)
{
    private const string LatestSql = "SELECT coalesce(max(event_seq), 0) FROM tasks";

    // The partial index holds only rows with a number, so this is one index probe however large the table is.
    private const string OldestSql = "SELECT min(event_seq) FROM tasks WHERE event_seq IS NOT NULL";

    // The snapshot comes from the same statement as the rows, so it tells which transactions the rows could not see.
    private const string ReadSql = $"""
        SELECT s.snapshot, t.event_seq, {TaskSql.Columns}
        FROM (SELECT pg_current_snapshot()::text AS snapshot) s
        LEFT JOIN LATERAL (
            SELECT event_seq, {TaskSql.Columns} FROM tasks WHERE event_seq > $1 ORDER BY event_seq LIMIT $2) t ON true
        ORDER BY t.event_seq
        """;

    // The numbers only: what the relay reads while no stream listens (an index scan, no task rows).
    private const string ReadSequencesSql = """
        SELECT s.snapshot, t.event_seq
        FROM (SELECT pg_current_snapshot()::text AS snapshot) s
        LEFT JOIN LATERAL (SELECT event_seq FROM tasks WHERE event_seq > $1 ORDER BY event_seq LIMIT $2) t ON true
        ORDER BY t.event_seq
        """;

    // pg_xact_status is NULL for transactions too old to be known, which are over too.
    private const string SettledSql = """
        SELECT NOT EXISTS (SELECT 1 FROM pg_snapshot_xip($1::pg_snapshot) AS x(xid) WHERE pg_xact_status(x.xid) = 'in progress')
        """;

    private const string ReplaySql = $"""
        SELECT event_seq, {TaskSql.Columns} FROM tasks
        WHERE event_seq > $1 AND event_seq <= $2 AND state::text = ANY($3)
        ORDER BY event_seq LIMIT $4
        """;

    /// <summary>The highest event number committed so far; 0 when there is none.</summary>
    public async Task<long> LatestAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(LatestSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The lowest event number still in the table; null when there is none. Finished tasks are deleted after an age
    /// (retention), so events below it are gone for good.
    /// </summary>
    public async Task<long?> OldestAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(OldestSql);
        return await command.ExecuteScalarAsync(cancellationToken) is long oldest ? oldest : null;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="after"/>, in order, with the snapshot that read them;
    /// only their numbers unless <paramref name="withTasks"/>.
    /// </summary>
    public async Task<TaskEventPage> ReadAsync(long after, int limit, bool withTasks, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(withTasks ? ReadSql : ReadSequencesSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var sequences = new List<long>();
        var events = new List<TaskEvent>();
        var snapshot = string.Empty;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            snapshot = reader.GetString(0);
            if (!reader.IsDBNull(1))
            {
                var sequence = reader.GetInt64(1);
                sequences.Add(sequence);
                if (withTasks)
                {
                    events.Add(new TaskEvent(sequence, TaskColumns.Read(reader, 2)));
                }
            }
        }

        return new TaskEventPage(sequences, events, snapshot);
    }

    /// <summary>Whether every transaction that was running when <paramref name="snapshot"/> was taken has ended.</summary>
    public async Task<bool> IsSettledAsync(string snapshot, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SettledSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Events numbered after <paramref name="after"/> up to <paramref name="through"/>, in one of <paramref name="states"/>.</summary>
    public async Task<List<TaskEvent>> ReplayAsync(long after, long through, TaskState[] states, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReplaySql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = through });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. states.Select(TaskStates.Name)] });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var events = new List<TaskEvent>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new TaskEvent(reader.GetInt64(0), TaskColumns.Read(reader, 1)));
        }

        return events;
    }
}
