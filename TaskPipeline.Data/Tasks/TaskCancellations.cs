using Npgsql;
using TaskPipeline.Data.Notifications;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Cancel: a scheduled, received or processing task becomes <c>canceled</c>; a cancel that races a Consumer or the
/// scheduler wins or changes nothing.
/// </summary>
public sealed class TaskCancellations(NpgsqlDataSource dataSource)
{
    // One statement: either the task changed (first row, true), or why not — its current state (false), or it does
    // not exist (no row). The second SELECT reads the statement's snapshot, so it sees the row as it was before the
    // UPDATE waited for it; a race is detected by the caller (a non-terminal state) and the statement run again.
    // pg_notify in RETURNING tells the Consumer working on the task (if any) to stop now; it is sent at commit.
    private const string CancelSql = $"""
        WITH changed AS (
            UPDATE tasks
            SET state = 'canceled', lease_expires_at = NULL, redispatch_at = NULL, updated_at = now(), {TaskSql.Ended}
            WHERE id = $1 AND state::text IN ('scheduled', 'received', 'processing')
            RETURNING {TaskSql.Columns}, pg_notify('{TaskNotifications.CanceledChannel}', id::text) AS notified)
        SELECT true, {TaskSql.Columns} FROM changed
        UNION ALL
        SELECT false, {TaskSql.Columns} FROM tasks WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)
        """;

    /// <summary>Cancels a scheduled, received or processing task: (true, task) when it was, (false, task) with its state when not, null when unknown.</summary>
    public Task<(bool Changed, TaskRecord Task)?> CancelAsync(Guid id, CancellationToken cancellationToken) =>
        TaskSql.ChangeAsync(dataSource, CancelSql, id, null, cancellationToken);
}
