using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>Retry: failed (dead-lettered) or canceled tasks become <c>received</c> again, with a clean slate.</summary>
public sealed class TaskRetries(NpgsqlDataSource dataSource)
{
    private const string Requeued =
        $"state = 'received', attempts = 0, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, {TaskSql.Reopened}, updated_at = now()";

    // redispatch_at is one grace period ahead, as for a new task: the caller hands the task to its dispatch at once,
    // and the outbox sweep (of any Producer) sends it only if that fails. Results as for a cancel.
    private const string RetrySql = $"""
        WITH changed AS (
            UPDATE tasks
            SET {Requeued}, redispatch_at = now() + $2
            WHERE id = $1 AND state::text IN ('failed', 'canceled')
            RETURNING {TaskSql.Columns})
        SELECT true, {TaskSql.Columns} FROM changed
        UNION ALL
        SELECT false, {TaskSql.Columns} FROM tasks WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)
        """;

    /// <summary>Most tasks one retry-many statement requeues: each batch is its own short transaction.</summary>
    public const int RetryManyBatchSize = 1000;

    /// <summary>The most tasks one retry-many call requeues; the caller calls again while <c>More</c> says so.</summary>
    public const int RetryManyMaxLimit = 100_000;

    /// <summary>Requeues a failed or canceled task: (true, task) when it was, (false, task) with its state when not, null when unknown.</summary>
    public Task<(bool Changed, TaskRecord Task)?> RetryAsync(Guid id, TimeSpan redispatchAfter, CancellationToken cancellationToken) =>
        TaskSql.ChangeAsync(dataSource, RetrySql, id, redispatchAfter, cancellationToken);

    /// <summary>
    /// Requeues up to <paramref name="limit"/> tasks in <paramref name="state"/> (of <paramref name="type"/> when given),
    /// oldest first, in batches of <see cref="RetryManyBatchSize"/>, each its own transaction, so no call holds many row
    /// locks or grows with the table. <c>More</c>: the last batch was full, so tasks may be left in that state.
    /// </summary>
    public async Task<(int Requeued, bool More)> RetryManyAsync(TaskState state, short? type, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, RetryManyMaxLimit);

        // The state is a literal (from the enum) so the plan walks tasks_state_id_idx, a partial index; due at once:
        // the outbox sweep sends them, oldest first.
        var sql = $"""
            UPDATE tasks SET {Requeued}, redispatch_at = now()
            WHERE id IN (SELECT id FROM tasks WHERE state = '{TaskStates.Name(state)}' {(type is null ? "" : "AND type = $2")}
                         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
            """;
        var requeued = 0;
        while (true)
        {
            var batch = Math.Min(RetryManyBatchSize, limit - requeued);
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batch });
            if (type is { } t)
            {
                command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = t });
            }

            var changed = await command.ExecuteNonQueryAsync(cancellationToken);
            requeued += changed;
            if (changed < batch)
            {
                return (requeued, false);
            }

            if (requeued >= limit)
            {
                return (requeued, true);
            }
        }
    }
}
