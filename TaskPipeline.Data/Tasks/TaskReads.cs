using System.Text;
using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>Read: one task, a page of tasks, the counts per state and type, and the backlog. Changes nothing.</summary>
public sealed class TaskReads(NpgsqlDataSource dataSource)
{
    private const string GetSql = $"SELECT {TaskSql.Columns} FROM tasks WHERE id = $1";

    private const string StatsSql = "SELECT state::text, type, count(*), coalesce(sum(value), 0) FROM tasks GROUP BY state, type";

    // Two counts rather than `state IN (...)`: each one matches a partial index, so neither scans the done rows.
    private const string BacklogSql = """
        SELECT (SELECT count(*) FROM tasks WHERE state = 'received')
             + (SELECT count(*) FROM tasks WHERE state = 'processing')
        """;

    public async Task<TaskRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(GetSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? TaskColumns.Read(reader, 0) : null;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> tasks, newest first (ids are UUIDv7), older than <paramref name="before"/> when
    /// given: keyset pagination on the primary key, so every page costs the same however deep it is.
    /// </summary>
    public async Task<(List<TaskRecord> Items, bool More)> ListAsync(
        TaskState? state, short? type, Guid? before, int limit, CancellationToken cancellationToken)
    {
        // Only the filters given become conditions: a generic "$1 IS NULL OR ..." plan would fit no index.
        var sql = new StringBuilder($"SELECT {TaskSql.Columns} FROM tasks");
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

        var items = new List<TaskRecord>(Math.Min(limit + 1, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(TaskColumns.Read(reader, 0));
        }

        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return (items, more);
    }

    /// <summary>The whole table counted in one statement: per state, and done tasks and their value sum per type.</summary>
    public async Task<TaskStats> StatsAsync(CancellationToken cancellationToken)
    {
        var byState = new long[Enum.GetValues<TaskState>().Length];
        var doneCount = new long[TaskLimits.TypeCount];
        var doneSum = new long[TaskLimits.TypeCount];
        await using (var command = dataSource.CreateCommand(StatsSql))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var state = TaskColumns.StateAt(reader, 0);
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

    /// <summary>How many Consumer processes hold a claim now (distinct lease owners of processing tasks).</summary>
    public async Task<long> CountClaimHoldersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(DISTINCT lease_owner) FROM tasks WHERE state = 'processing'");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The backlog of the whole pipeline: tasks received or processing, whichever Producer made them.</summary>
    public async Task<long> CountBacklogAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(BacklogSql);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }
}
