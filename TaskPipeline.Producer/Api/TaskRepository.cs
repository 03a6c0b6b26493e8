using System.Text;
using Npgsql;
using NpgsqlTypes;
using TaskPipeline.ServiceDefaults.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// The API's statements on the tasks table. Every state change is ONE conditional statement, like the Consumer's:
/// a cancel or retry that races a Consumer either wins or changes nothing. Statements that address a task by id
/// compare <c>state::text</c> so that only the primary key fits them (see the Consumer's TaskStore). States travel as
/// text both ways: a data source whose first connection predates the migration that created the task_state enum does
/// not know the type, and a standalone Producer on an empty database is one.
/// </summary>
internal sealed class TaskRepository(NpgsqlDataSource dataSource)
{
    public const string Columns = "id, type, value, state::text AS state, attempts, last_error, created_at, updated_at, done_at";

    private const string InsertSql = $"INSERT INTO tasks (id, type, value) VALUES ($1, $2, $3) RETURNING {Columns}";

    private const string GetSql = $"SELECT {Columns} FROM tasks WHERE id = $1";

    // One statement: either the task changed (first row, true), or why not — its current state (false), or it does
    // not exist (no row). The second SELECT reads the statement's snapshot, so it sees the row as it was before the
    // UPDATE waited for it; a race is detected by the caller (a non-terminal state) and the statement run again.
    // pg_notify in RETURNING tells the Consumer working on the task (if any) to stop now; it is sent at commit.
    private const string CancelSql = $"""
        WITH changed AS (
            UPDATE tasks
            SET state = 'canceled', lease_expires_at = NULL, redispatch_at = NULL, done_at = now(), updated_at = now(),
                event_seq = nextval('task_event_seq')
            WHERE id = $1 AND state::text IN ('received', 'processing')
            RETURNING {Columns}, pg_notify('{TaskNotifications.CanceledChannel}', id::text) AS notified)
        SELECT true, {Columns} FROM changed
        UNION ALL
        SELECT false, {Columns} FROM tasks WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)
        """;

    // Back to received with a clean slate. redispatch_at is one grace period ahead, as for a new task: the API hands
    // the task to this Producer's dispatch at once, and the outbox sweep (of any Producer) sends it only if that fails.
    private const string RetrySql = $"""
        WITH changed AS (
            UPDATE tasks
            SET state = 'received', attempts = 0, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                redispatch_at = now() + $2, done_at = NULL, event_seq = NULL, updated_at = now()
            WHERE id = $1 AND state::text IN ('failed', 'canceled')
            RETURNING {Columns})
        SELECT true, {Columns} FROM changed
        UNION ALL
        SELECT false, {Columns} FROM tasks WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)
        """;

    // Due at once: the outbox sweep sends them, oldest first, a page at a time.
    private const string RetryManySql = """
        UPDATE tasks
        SET state = 'received', attempts = 0, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = now(), done_at = NULL, event_seq = NULL, updated_at = now()
        WHERE state = $1::task_state
        """;

    private const string StatsSql = "SELECT state::text, type, count(*), coalesce(sum(value), 0) FROM tasks GROUP BY state, type";

    public async Task<TaskResponse> InsertAsync(Guid id, short type, short value, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = type });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader, 0);
    }

    public async Task<TaskResponse?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(GetSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader, 0) : null;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> tasks, newest first (ids are UUIDv7), older than <paramref name="before"/> when
    /// given: keyset pagination on the primary key, so every page costs the same however deep it is.
    /// </summary>
    public async Task<(List<TaskResponse> Items, bool More)> ListAsync(
        TaskState? state, short? type, Guid? before, int limit, CancellationToken cancellationToken)
    {
        // Only the filters given become conditions: a generic "$1 IS NULL OR ..." plan would fit no index.
        var sql = new StringBuilder($"SELECT {Columns} FROM tasks");
        var conditions = new List<string>(3);
        await using var command = dataSource.CreateCommand();
        if (state is { } s)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = TaskStates.Name(s) });
            conditions.Add($"state = ${command.Parameters.Count}::task_state");
        }

        if (type is { } t)
        {
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = t });
            conditions.Add($"type = ${command.Parameters.Count}");
        }

        if (before is { } b)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = b });
            conditions.Add($"id < ${command.Parameters.Count}");
        }

        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        // One more than asked tells whether there is a next page.
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit + 1 });
        sql.Append($" ORDER BY id DESC LIMIT ${command.Parameters.Count}");
        command.CommandText = sql.ToString();

        var items = new List<TaskResponse>(Math.Min(limit + 1, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader, 0));
        }

        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return (items, more);
    }

    /// <summary>Cancels a received or processing task: (true, task) when it was, (false, task) with its state when not, null when unknown.</summary>
    public Task<(bool Changed, TaskResponse Task)?> CancelAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(CancelSql, id, null, cancellationToken);

    /// <summary>Requeues a failed or canceled task; results as for <see cref="CancelAsync"/>.</summary>
    public Task<(bool Changed, TaskResponse Task)?> RetryAsync(Guid id, TimeSpan redispatchAfter, CancellationToken cancellationToken) =>
        ChangeAsync(RetrySql, id, redispatchAfter, cancellationToken);

    /// <summary>Requeues every task in <paramref name="state"/> (of <paramref name="type"/> when given); returns how many.</summary>
    public async Task<int> RetryManyAsync(TaskState state, short? type, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(type is null ? RetryManySql : RetryManySql + " AND type = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = TaskStates.Name(state) });
        if (type is { } t)
        {
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = t });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<TaskStats> StatsAsync(CancellationToken cancellationToken)
    {
        var byState = new long[Enum.GetValues<TaskState>().Length];
        var doneCount = new long[Generation.TaskGenerator.TypeCount];
        var doneSum = new long[Generation.TaskGenerator.TypeCount];
        await using (var command = dataSource.CreateCommand(StatsSql))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var state = StateAt(reader, 0);
                var type = reader.GetInt16(1);
                var count = reader.GetInt64(2);
                byState[(int)state] += count;
                if (state == TaskState.Done)
                {
                    doneCount[type] = count;
                    doneSum[type] = reader.GetInt64(3);
                }
            }
        }

        var states = new StateCounts(
            byState[(int)TaskState.Received],
            byState[(int)TaskState.Processing],
            byState[(int)TaskState.Done],
            byState[(int)TaskState.Failed],
            byState[(int)TaskState.Canceled]);
        var types = Enumerable.Range(0, doneCount.Length).Select(type => new TypeStats(type, doneCount[type], doneSum[type])).ToArray();
        return new TaskStats(states, byState.Sum(), types);
    }

    /// <summary>Reads the <see cref="Columns"/> starting at <paramref name="first"/>.</summary>
    internal static TaskResponse Read(NpgsqlDataReader reader, int first) => new(
        reader.GetGuid(first),
        reader.GetInt16(first + 1),
        reader.GetInt16(first + 2),
        StateAt(reader, first + 3),
        reader.GetInt32(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        reader.GetFieldValue<DateTimeOffset>(first + 6),
        reader.GetFieldValue<DateTimeOffset>(first + 7),
        reader.IsDBNull(first + 8) ? null : reader.GetFieldValue<DateTimeOffset>(first + 8));

    private static TaskState StateAt(NpgsqlDataReader reader, int ordinal) =>
        TaskStates.TryParse(reader.GetString(ordinal), out var state)
            ? state
            : throw new InvalidOperationException($"unknown task state '{reader.GetString(ordinal)}'");

    private async Task<(bool Changed, TaskResponse Task)?> ChangeAsync(string sql, Guid id, TimeSpan? interval, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        if (interval is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Interval });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetBoolean(0), Read(reader, 1)) : null;
    }
}
