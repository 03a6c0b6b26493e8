using System.Text;
using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>Read: one task, a page of tasks, the counts per state and type, and the backlog. Changes nothing.</summary>
public sealed class TaskReads(NpgsqlDataSource dataSource)
{
    private const string GetSql = $"SELECT {TaskSql.Columns} FROM tasks WHERE id = $1";

    // The counters, not the table (0003_bounded_reads.sql, read through task_counts_now, 0004).
    private const string StatsSql = """
        SELECT state::text, type, sum(tasks)::bigint, sum(value_sum)::bigint, sum(removed)::bigint, sum(removed_value_sum)::bigint
        FROM task_counts_now
        GROUP BY state, type
        """;

    // From the counters, not the rows: at full speed the partial indexes on received and processing tasks hold a
    // million dead entries between vacuums, and counting through them took hundreds of milliseconds.
    private const string BacklogSql = """
        SELECT coalesce(sum(tasks), 0)::bigint FROM task_counts_now WHERE state IN ('received', 'processing')
        """;

    private const string ClaimHoldersSql = """
        SELECT count(*) FROM (
            SELECT owner FROM task_counts_now WHERE state = 'processing' GROUP BY owner HAVING sum(tasks) > 0) AS holders
        """;

    // Per second and per minute, from task_throughput (what the counter folds recorded) plus the deltas not folded yet
    // (the last second or so): at most 3,600 rows and a second's deltas, whatever the rate or the table's size.
    internal const string HistorySql = """
        WITH ended AS (
                SELECT second, done, failed FROM task_throughput WHERE second >= date_trunc('minute', now()) - interval '59 minutes'
                UNION ALL
                SELECT date_trunc('second', at),
                       coalesce(sum(tasks) FILTER (WHERE state = 'done'), 0),
                       coalesce(sum(tasks) FILTER (WHERE state = 'failed'), 0)
                FROM task_count_deltas WHERE tasks > 0 AND state IN ('done', 'failed') GROUP BY 1),
             buckets AS (
                SELECT 's' AS size, start, start + interval '1 second' AS stop
                FROM generate_series(date_trunc('second', now()) - interval '299 seconds', date_trunc('second', now()), interval '1 second') AS start
                UNION ALL
                SELECT 'm', start, start + interval '1 minute'
                FROM generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') AS start)
        SELECT b.size, b.start, coalesce(sum(e.done), 0)::bigint, coalesce(sum(e.failed), 0)::bigint
        FROM buckets AS b LEFT JOIN ended AS e ON e.second >= b.start AND e.second < b.stop
        GROUP BY b.size, b.start
        ORDER BY b.size, b.start
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
        TaskState? state, short? type, short? priority, Guid? before, int limit, CancellationToken cancellationToken)
    {
        // Only the filters given become conditions: a generic "$1 IS NULL OR ..." plan would fit no index.
        var sql = new StringBuilder($"SELECT {TaskSql.Columns} FROM tasks");
        var conditions = new List<string>(4);
        await using var command = dataSource.CreateCommand();
        if (state is { } s)
        {
            // A literal, not a parameter: only a plan made for the one state can walk tasks_state_id_idx (a partial
            // index); a generic plan walks the primary key and filters, which on a large table reads most of it.
            // The name comes from the enum, never from the caller's text.
            conditions.Add($"state = '{TaskStates.Name(s)}'");
        }

        if (type is { } t)
        {
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = t });
            conditions.Add($"type = ${command.Parameters.Count}");
        }

        if (priority is { } p)
        {
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = p });
            conditions.Add($"priority = ${command.Parameters.Count}");
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

    /// <summary>
    /// Tasks per state now, tasks removed by retention per state, and per type the tasks ever done and their value sum,
    /// from the counters the table's triggers keep: the cost does not depend on the table's size.
    /// </summary>
    public async Task<TaskStats> StatsAsync(CancellationToken cancellationToken)
    {
        var byState = new long[Enum.GetValues<TaskState>().Length];
        var removedByState = new long[byState.Length];
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
                var removed = reader.GetInt64(4);
                byState[(int)state] += count;
                removedByState[(int)state] += removed;
                if (state == TaskState.Done)
                {
                    doneCount[type] = count + removed;
                    doneSum[type] = reader.GetInt64(3) + reader.GetInt64(5);
                }
            }
        }

        var types = Enumerable.Range(0, doneCount.Length).Select(type => new TypeStats(type, doneCount[type], doneSum[type])).ToArray();
        return new TaskStats(StateCounts.Of(byState), byState.Sum(), types, StateCounts.Of(removedByState));
    }

    /// <summary>Done and failed tasks per second for the last five minutes and per minute for the last hour.</summary>
    public async Task<ThroughputHistory> ThroughputAsync(CancellationToken cancellationToken)
    {
        var perSecond = new List<ThroughputBucket>(300);
        var perMinute = new List<ThroughputBucket>(60);
        await using var command = dataSource.CreateCommand(HistorySql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var bucket = new ThroughputBucket(reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt64(2), reader.GetInt64(3));
            (reader.GetString(0) == "s" ? perSecond : perMinute).Add(bucket);
        }

        return new ThroughputHistory(perSecond, perMinute);
    }

    /// <summary>
    /// How many Consumer processes hold a claim now: lease owners with processing tasks, from the counters (reading
    /// the processing rows walked every dead index entry of a busy table: over 100 ms at full speed).
    /// </summary>
    public async Task<long> CountClaimHoldersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ClaimHoldersSql);
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
