using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// The scheduler's statements: scheduled tasks that are due become <c>received</c> (the outbox), earliest due first,
/// and the time until the next one is due. Both walk tasks_scheduled_due_idx (0007_scheduling.sql), which holds only the
/// tasks still waiting, so a wake costs the same whatever the table's age.
/// </summary>
public sealed class TaskSchedule(NpgsqlDataSource dataSource)
{
    // redispatch_at one grace period ahead, as for a new task: the caller queues the tasks for dispatch at once, and the
    // outbox sweep (of any Producer) sends them only if that fails (a crash right after this commits). SKIP LOCKED: two
    // Producers' schedulers never take the same task, and a cancel holding a row is not waited for. The outer
    // condition names the state as text, as every statement by id does (TaskSql).
    internal const string PromoteSql = """
        UPDATE tasks SET state = 'received', redispatch_at = now() + $2, updated_at = now()
        WHERE id IN (SELECT id FROM tasks
                     WHERE state = 'scheduled' AND run_at <= now()
                     ORDER BY run_at, id LIMIT $1
                     FOR UPDATE SKIP LOCKED)
          AND state::text = 'scheduled'
        RETURNING id, type, value, run_at, now(), priority
        """;

    // After the promotion, in its transaction: what it just made received is no longer scheduled. Seconds from now on
    // the database's clock, the one every run_at was set by.
    internal const string NextDueSql = """
        SELECT extract(epoch FROM run_at - clock_timestamp())::float8 FROM tasks WHERE state = 'scheduled'
        ORDER BY run_at LIMIT 1
        """;

    // Both statements want the scheduled rows in due order, which tasks_scheduled_due_idx gives as it is read. With few
    // scheduled rows in the statistics (they were taken when none waited, or a burst just came in) the planner reads
    // them all through tasks_state_id_idx instead and sorts them: every wake would then cost as much as everything
    // scheduled. No sort, then (for this transaction only: the batch is one).
    internal const string InDueOrderSql = "SET LOCAL enable_sort = off";

    /// <summary>
    /// Makes up to <paramref name="limit"/> due tasks received, earliest due first, and says when the next scheduled
    /// task is due (null: none is scheduled; zero or less: due already, e.g. more than the limit were due).
    /// </summary>
    public async Task<(List<DueTask> Due, TimeSpan? NextDueIn)> PromoteDueAsync(
        int limit, TimeSpan redispatchAfter, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(InDueOrderSql));
        var promote = new NpgsqlBatchCommand(PromoteSql);
        promote.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        promote.Parameters.Add(TaskSql.Interval(redispatchAfter));
        batch.BatchCommands.Add(promote);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(NextDueSql));

        var due = new List<DueTask>();
        TimeSpan? next = null;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var runAt = reader.GetFieldValue<DateTimeOffset>(3);
            var now = reader.GetFieldValue<DateTimeOffset>(4);
            due.Add(new DueTask(new NewTask(reader.GetGuid(0), reader.GetInt16(1), reader.GetInt16(2), (byte)reader.GetInt16(5)), runAt, now - runAt));
        }

        await reader.NextResultAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0))
        {
            next = TimeSpan.FromSeconds(reader.GetDouble(0));
        }

        // RETURNING has no order; send earliest due first.
        due.Sort(static (a, b) => a.RunAt != b.RunAt ? a.RunAt.CompareTo(b.RunAt) : a.Task.Id.CompareTo(b.Task.Id));
        return (due, next);
    }
}
