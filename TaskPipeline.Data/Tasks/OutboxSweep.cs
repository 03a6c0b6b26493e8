using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Sweep: claims received tasks that are due to be sent again: never confirmed by a Consumer within the grace period,
/// or handed back by one (a failed attempt or an expired lease sets redispatch_at). Claiming pushes redispatch_at one
/// grace period ahead, so concurrent sweeps (other Producer replicas) skip what this one took.
/// </summary>
public sealed class OutboxSweep(NpgsqlDataSource dataSource)
{
    // Two index scans that each read only due rows: new tasks never swept (tasks_received_new_idx, by age) and tasks
    // handed back or swept before (tasks_received_due_idx, by when they are due). A single scan in creation order with
    // the due test as a filter read past every not-yet-due row at its head on every sweep, so its cost grew with the
    // backlog.
    internal const string ClaimDueSql = """
        WITH fresh AS (
                SELECT id FROM tasks
                WHERE state = 'received' AND redispatch_at IS NULL AND created_at <= now() - $1
                ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
             handed_back AS (
                SELECT id FROM tasks
                WHERE state = 'received' AND redispatch_at IS NOT NULL AND redispatch_at <= now()
                ORDER BY redispatch_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        UPDATE tasks SET redispatch_at = now() + $1
        WHERE id IN (SELECT id FROM fresh UNION ALL SELECT id FROM handed_back LIMIT $2)
        RETURNING id, type, value, created_at, priority
        """;

    /// <summary>Up to <paramref name="limit"/> due tasks, oldest first (the dispatch queue then orders them by priority).</summary>
    public async Task<NewTask[]> ClaimDueAsync(TimeSpan redispatchAfter, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ClaimDueSql);
        command.Parameters.Add(TaskSql.Interval(redispatchAfter));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var rows = new List<(DateTime CreatedAt, NewTask Task)>(limit);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetFieldValue<DateTime>(3), new NewTask(reader.GetGuid(0), reader.GetInt16(1), reader.GetInt16(2), (byte)reader.GetInt16(4))));
            }
        }

        // RETURNING has no order; send FIFO. Guid.CompareTo orders like PostgreSQL's uuid (big-endian bytes).
        rows.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : a.Task.Id.CompareTo(b.Task.Id));
        return [.. rows.Select(static row => row.Task)];
    }
}
