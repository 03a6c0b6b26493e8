using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Sweep: claims received tasks that are due to be sent again: never confirmed by a Consumer within the grace period,
/// or handed back by one (a failed attempt or an expired lease sets redispatch_at). Claiming pushes redispatch_at one
/// grace period ahead, so concurrent sweeps (other Producer replicas) skip what this one took.
/// </summary>
public sealed class OutboxSweep(NpgsqlDataSource dataSource)
{
    private const string ClaimDueSql = """
        UPDATE tasks SET redispatch_at = now() + $1
        WHERE id IN (
            SELECT id FROM tasks
            WHERE state = 'received' AND coalesce(redispatch_at, created_at + $1) <= now()
            ORDER BY created_at, id
            LIMIT $2
            FOR UPDATE SKIP LOCKED)
        RETURNING id, type, value, created_at
        """;

    /// <summary>Up to <paramref name="limit"/> due tasks, oldest first.</summary>
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
                rows.Add((reader.GetFieldValue<DateTime>(3), new NewTask(reader.GetGuid(0), reader.GetInt16(1), reader.GetInt16(2))));
            }
        }

        // RETURNING has no order; send FIFO. Guid.CompareTo orders like PostgreSQL's uuid (big-endian bytes).
        rows.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : a.Task.Id.CompareTo(b.Task.Id));
        return [.. rows.Select(static row => row.Task)];
    }
}
