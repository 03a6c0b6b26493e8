using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Keeps the tasks table bounded: deletes finished tasks older than their state's retention, oldest first, a batch per
/// statement, and folds the counters' deltas into task_counts (0003_bounded_reads.sql), so neither the table nor the
/// deltas grow with the age of a deployment. One process at a time does this, under an advisory lock.
/// </summary>
public sealed class TaskRetention(NpgsqlDataSource dataSource)
{
    // Any constant unique to this job: the lock guards nothing else (the migrator's is ...0001).
    private const long RetentionLockKey = 0x7461736B73_0002;

    // The same statement adds the tasks that became done or failed to their second's row of task_throughput
    // (0007_scheduling.sql): a delta row with tasks > 0 in those states is tasks that reached it (leaving it, or being
    // deleted, counts negative), at its transaction's time.
    private const string FoldSql = """
        WITH moved AS (DELETE FROM task_count_deltas RETURNING *),
             history AS (
                INSERT INTO task_throughput AS t (second, done, failed)
                SELECT date_trunc('second', at),
                       coalesce(sum(tasks) FILTER (WHERE state = 'done'), 0),
                       coalesce(sum(tasks) FILTER (WHERE state = 'failed'), 0)
                FROM moved WHERE tasks > 0 AND state IN ('done', 'failed')
                GROUP BY 1
                ON CONFLICT (second) DO UPDATE SET done = t.done + excluded.done, failed = t.failed + excluded.failed)
        INSERT INTO task_counts AS c (state, type, owner, tasks, value_sum, removed, removed_value_sum)
        SELECT state, type, owner, sum(tasks), sum(value_sum), sum(removed), sum(removed_value_sum)
        FROM moved GROUP BY state, type, owner
        ON CONFLICT (state, type, owner) DO UPDATE
        SET tasks = c.tasks + excluded.tasks, value_sum = c.value_sum + excluded.value_sum,
            removed = c.removed + excluded.removed, removed_value_sum = c.removed_value_sum + excluded.removed_value_sum
        """;

    // A processing owner's counter row that fell to zero (the Consumer finished or lost its work) goes, so the
    // counters do not keep a row per Consumer process ever started. A second statement: the fold's own rows are not
    // visible to a statement that runs beside it in the same WITH.
    private const string DropIdleOwnersSql = "DELETE FROM task_counts WHERE owner <> '' AND tasks = 0 AND removed = 0";

    // Walks tasks_ended_age_idx from the oldest end and reads only rows it deletes, deleting them by their row address
    // (no second lookup through the primary key; a locked row cannot move). SKIP LOCKED: a task being retried right
    // now is left for the next batch, and deleting never waits on the pipeline.
    internal const string DeleteExpiredSql = """
        DELETE FROM tasks
        WHERE ctid = ANY(ARRAY(SELECT ctid FROM tasks
                               WHERE state = $1::task_state AND done_at IS NOT NULL AND done_at < now() - $2
                               ORDER BY done_at LIMIT $3
                               FOR UPDATE SKIP LOCKED))
        """;

    // A plan made for the actual cutoff asks the index for its lowest done_at to estimate the range, and at full speed
    // that walks every entry deleted since the last vacuum: 180 ms of planning for a 28 ms delete. A generic plan
    // does not ask (the batch is one transaction, so the setting ends with it).
    private const string GenericPlanSql = "SET LOCAL plan_cache_mode = force_generic_plan";

    /// <summary>
    /// Runs <paramref name="work"/> with a connection that holds the retention lock; returns false without running it
    /// when another process holds the lock.
    /// </summary>
    public async Task<bool> TryRunExclusiveAsync(Func<NpgsqlConnection, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection))
        {
            acquire.Parameters.Add(new NpgsqlParameter<long> { TypedValue = RetentionLockKey });
            if (!(bool)(await acquire.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        try
        {
            await work(connection, cancellationToken);
            return true;
        }
        finally
        {
            // A broken connection released the lock with its session; only a live one needs telling.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
                release.Parameters.Add(new NpgsqlParameter<long> { TypedValue = RetentionLockKey });
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// The churning tables whose dead rows passed the thresholds their autovacuum settings name (0003_bounded_reads.sql):
    /// tasks at 2 % of its live rows, the deltas at 10,000 rows.
    /// </summary>
    private const string VacuumDueSql = """
        SELECT relname::text FROM pg_stat_user_tables
        WHERE schemaname = current_schema() AND relname IN ('tasks', 'task_count_deltas')
          AND n_dead_tup > CASE relname WHEN 'tasks' THEN 50 + 0.02 * n_live_tup ELSE 10000 END
        """;

    /// <summary>
    /// Vacuums the tables that need it now, on the retention's connection (outside any transaction, as VACUUM must be);
    /// returns their names. PostgreSQL's autovacuum looks only every autovacuum_naptime (a minute by default), and at
    /// full speed the tasks table makes that much bloat in seconds; retention, which makes most of the dead rows, clears
    /// them right after. SKIP_LOCKED: a table an autovacuum worker is on already is left to it.
    /// </summary>
    public static async Task<List<string>> VacuumIfDueAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var due = new List<string>(2);
        await using (var command = new NpgsqlCommand(VacuumDueSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(reader.GetString(0));
            }
        }

        foreach (var table in due)
        {
            // The name is one of the two above, never input.
            await using var vacuum = new NpgsqlCommand(table == "tasks" ? "VACUUM (SKIP_LOCKED) tasks" : "VACUUM (SKIP_LOCKED) task_count_deltas", connection);
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        return due;
    }

    /// <summary>
    /// Folds the counters' deltas into task_counts; returns how many counter rows changed. Needs no lock: a delta row is
    /// moved by one fold only (DELETE … RETURNING), and concurrent folds meet only on the counter rows they update.
    /// </summary>
    public async Task<int> FoldCountsAsync(CancellationToken cancellationToken)
    {
        // One batch, one transaction: a reader sees the deltas either still unfolded or folded, never both or neither.
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(FoldSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DropIdleOwnersSql));
        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How far back task_throughput keeps its seconds: the dashboards' history reaches an hour.</summary>
    public static readonly TimeSpan ThroughputHistory = TimeSpan.FromHours(1);

    // Both walk their table's index from the oldest end and read only what they delete (idempotency keys by expiry,
    // throughput seconds by their primary key).
    internal const string DeleteExpiredKeysSql = """
        DELETE FROM task_idempotency_keys
        WHERE ctid = ANY(ARRAY(SELECT ctid FROM task_idempotency_keys WHERE expires_at < now()
                               ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED))
        """;

    internal const string DeleteOldThroughputSql = """
        DELETE FROM task_throughput
        WHERE second = ANY(ARRAY(SELECT second FROM task_throughput WHERE second < now() - $2 ORDER BY second LIMIT $1))
        """;

    /// <summary>
    /// Deletes up to <paramref name="limit"/> expired idempotency keys and as many throughput seconds older than
    /// <see cref="ThroughputHistory"/>; returns how many rows went.
    /// </summary>
    public static async Task<int> DeleteExpiredBookkeepingAsync(NpgsqlConnection connection, int limit, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        var keys = new NpgsqlBatchCommand(DeleteExpiredKeysSql);
        keys.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        batch.BatchCommands.Add(keys);
        var seconds = new NpgsqlBatchCommand(DeleteOldThroughputSql);
        seconds.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        seconds.Parameters.Add(TaskSql.Interval(ThroughputHistory));
        batch.BatchCommands.Add(seconds);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return keys.RecordsAffected + seconds.RecordsAffected;
    }

    /// <summary>Deletes up to <paramref name="limit"/> tasks in <paramref name="state"/> that ended more than <paramref name="age"/> ago; returns how many.</summary>
    public static async Task<int> DeleteExpiredAsync(
        NpgsqlConnection connection, TaskState state, TimeSpan age, int limit, CancellationToken cancellationToken)
    {
        if (!TaskStates.IsTerminal(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "only finished tasks are deleted");
        }

        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(GenericPlanSql));
        var delete = new NpgsqlBatchCommand(DeleteExpiredSql);
        delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = TaskStates.Name(state) });
        delete.Parameters.Add(TaskSql.Interval(age));
        delete.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        batch.BatchCommands.Add(delete);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return delete.RecordsAffected;
    }
}
