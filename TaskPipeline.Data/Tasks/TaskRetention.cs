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

    private const string FoldSql = """
        WITH moved AS (DELETE FROM task_count_deltas RETURNING *)
        INSERT INTO task_counts AS c (state, type, tasks, value_sum, removed, removed_value_sum)
        SELECT state, type, sum(tasks), sum(value_sum), sum(removed), sum(removed_value_sum) FROM moved GROUP BY state, type
        ON CONFLICT (state, type) DO UPDATE
        SET tasks = c.tasks + excluded.tasks, value_sum = c.value_sum + excluded.value_sum,
            removed = c.removed + excluded.removed, removed_value_sum = c.removed_value_sum + excluded.removed_value_sum
        """;

    // Walks tasks_ended_age_idx from the oldest end and reads only rows it deletes. SKIP LOCKED: a task being retried or
    // read for update right now is left for the next batch, and deleting never waits on the pipeline.
    internal const string DeleteExpiredSql = """
        DELETE FROM tasks
        WHERE id IN (SELECT id FROM tasks
                     WHERE state = $1::task_state AND done_at IS NOT NULL AND done_at < now() - $2
                     ORDER BY done_at LIMIT $3
                     FOR UPDATE SKIP LOCKED)
        """;

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

    /// <summary>Folds the counters' deltas into task_counts; returns how many delta rows were folded.</summary>
    public static async Task<int> FoldCountsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(FoldSql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes up to <paramref name="limit"/> tasks in <paramref name="state"/> that ended more than <paramref name="age"/> ago; returns how many.</summary>
    public static async Task<int> DeleteExpiredAsync(
        NpgsqlConnection connection, TaskState state, TimeSpan age, int limit, CancellationToken cancellationToken)
    {
        if (!TaskStates.IsTerminal(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "only finished tasks are deleted");
        }

        await using var command = new NpgsqlCommand(DeleteExpiredSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = TaskStates.Name(state) });
        command.Parameters.Add(TaskSql.Interval(age));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
