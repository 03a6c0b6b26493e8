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

    // Due at once: the outbox sweep sends them, oldest first, a page at a time.
    private const string RetryManySql = $"UPDATE tasks SET {Requeued}, redispatch_at = now() WHERE state = $1::task_state";

    /// <summary>Requeues a failed or canceled task: (true, task) when it was, (false, task) with its state when not, null when unknown.</summary>
    public Task<(bool Changed, TaskRecord Task)?> RetryAsync(Guid id, TimeSpan redispatchAfter, CancellationToken cancellationToken) =>
        TaskSql.ChangeAsync(dataSource, RetrySql, id, redispatchAfter, cancellationToken);

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
}
