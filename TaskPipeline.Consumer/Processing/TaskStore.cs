using Npgsql;
using NpgsqlTypes;
using TaskPipeline.ServiceDefaults.Data;

namespace TaskPipeline.Consumer.Processing;

/// <summary>
/// Every state change the Consumer makes, each ONE conditional statement over a whole batch. A claim is identified by
/// (lease_owner, attempts), so a statement only touches rows whose claim is still the one this instance holds:
/// replaying or racing one changes nothing.
/// Statements that address tasks by id compare <c>state::text</c>, not <c>state</c>: the partial indexes on
/// <c>state = 'received'</c> / <c>'processing'</c> would otherwise tempt the planner whenever the statistics are stale
/// (a burst moves thousands of rows between states before autoanalyze runs), and scanning a whole state's rows per
/// statement took seconds where the primary key takes milliseconds. The cast makes the primary key the only index fit.
/// </summary>
internal sealed class TaskStore(NpgsqlDataSource dataSource, ConsumerInstance instance)
{
    /// <summary>Most stale leases expired per statement, so one sweep never holds many row locks.</summary>
    public const int ExpireBatchSize = 1000;

    private const string CountKnownSql = "SELECT count(*) FROM tasks WHERE id = ANY($1)";

    // The count guard makes the claim all-or-nothing with respect to unknown ids: with one unknown, nothing is claimed.
    private const string ClaimSql = """
        UPDATE tasks
        SET state = 'processing', attempts = attempts + 1, lease_owner = $2, lease_expires_at = now() + $3,
            redispatch_at = NULL, updated_at = now()
        WHERE id = ANY($1) AND state::text = 'received'
          AND (SELECT count(*) FROM tasks WHERE id = ANY($1)) = cardinality($1)
        RETURNING id, type, value, attempts, created_at
        """;

    // The attempt (and error) of each row is looked up by its id's position in the id array rather than joined from
    // unnest: a join lets stale statistics pick a nested loop that rescans the whole array per row (seconds per batch).
    // lease_owner stays on a done task: it records which Consumer process finished it.
    private const string CompleteDoneSql = """
        UPDATE tasks t
        SET state = 'done', done_at = now(), updated_at = now(), lease_expires_at = NULL
        WHERE t.id = ANY($1) AND t.state::text = 'processing' AND t.lease_owner = $3
          AND t.attempts = ($2::int[])[array_position($1, t.id)]
        RETURNING t.type, t.value
        """;

    // Backoff = RetryBackoff × 2^(attempt-1), capped at 30 s; the exponent is capped first so the interval cannot overflow.
    private const string CompleteFailedSql = """
        UPDATE tasks t
        SET state = CASE WHEN t.attempts >= $4 THEN 'failed'::task_state ELSE 'received'::task_state END,
            last_error = ($3::text[])[array_position($1, t.id)],
            lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = CASE WHEN t.attempts >= $4 THEN NULL
                                 ELSE now() + least($5 * power(2, least(t.attempts - 1, 20)), interval '30 seconds') END,
            done_at = CASE WHEN t.attempts >= $4 THEN now() END,
            updated_at = now()
        WHERE t.id = ANY($1) AND t.state::text = 'processing' AND t.lease_owner = $6
          AND t.attempts = ($2::int[])[array_position($1, t.id)]
        RETURNING t.type, t.state
        """;

    private const string RenewSql = """
        UPDATE tasks SET lease_expires_at = now() + $2
        WHERE id = ANY($1) AND state::text = 'processing' AND lease_owner = $3
        RETURNING id
        """;

    private const string ExpireSql = """
        UPDATE tasks
        SET state = CASE WHEN attempts >= $1 THEN 'failed'::task_state ELSE 'received'::task_state END,
            last_error = 'lease expired (owner ' || lease_owner || ')',
            lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = CASE WHEN attempts >= $1 THEN NULL ELSE now() END,
            done_at = CASE WHEN attempts >= $1 THEN now() END,
            updated_at = now()
        WHERE id IN (SELECT id FROM tasks
                     WHERE state = 'processing' AND lease_expires_at < now()
                     ORDER BY lease_expires_at LIMIT $2
                     FOR UPDATE SKIP LOCKED)
        RETURNING type, state
        """;

    // The released attempt did not run to an end, so it does not count against MaxAttempts. Only the latest claim of
    // each id is registered, so owner and state identify it.
    private const string ReleaseSql = """
        UPDATE tasks
        SET state = 'received', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = now(), updated_at = now()
        WHERE id = ANY($1) AND state::text = 'processing' AND lease_owner = $2
        """;

    public string Owner => instance.Id;

    /// <summary>
    /// Claims the received tasks among <paramref name="ids"/> in one round trip. <c>Known</c> is how many of the ids
    /// exist; when it is less than all of them, nothing was claimed.
    /// </summary>
    public async Task<(long Known, List<ClaimedTask> Claimed)> ClaimAsync(Guid[] ids, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var count = new NpgsqlBatchCommand(CountKnownSql);
        count.Parameters.Add(UuidArray(ids));
        var claim = new NpgsqlBatchCommand(ClaimSql);
        claim.Parameters.Add(UuidArray(ids));
        claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance.Id });
        claim.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease, NpgsqlDbType = NpgsqlDbType.Interval });
        batch.BatchCommands.Add(count);
        batch.BatchCommands.Add(claim);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var known = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);

        var claimed = new List<ClaimedTask>(ids.Length);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedTask(
                reader.GetGuid(0),
                reader.GetInt16(1),
                reader.GetInt16(2),
                reader.GetInt32(3),
                reader.GetDateTime(4)));
        }

        return (known, claimed);
    }

    /// <summary>Writes a batch of outcomes (successes and failed attempts) in one round trip.</summary>
    public async Task<CompletionResult> CompleteAsync(
        IReadOnlyList<TaskOutcome> done,
        IReadOnlyList<TaskOutcome> failed,
        int maxAttempts,
        TimeSpan retryBackoff,
        CancellationToken cancellationToken)
    {
        var result = new CompletionResult();
        if (done.Count == 0 && failed.Count == 0)
        {
            return result;
        }

        await using var batch = dataSource.CreateBatch();
        if (done.Count > 0)
        {
            var command = new NpgsqlBatchCommand(CompleteDoneSql);
            command.Parameters.Add(UuidArray([.. done.Select(o => o.Id)]));
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. done.Select(o => o.Attempt)] });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance.Id });
            batch.BatchCommands.Add(command);
        }

        if (failed.Count > 0)
        {
            var command = new NpgsqlBatchCommand(CompleteFailedSql);
            command.Parameters.Add(UuidArray([.. failed.Select(o => o.Id)]));
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. failed.Select(o => o.Attempt)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. failed.Select(o => o.Error ?? string.Empty)] });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxAttempts });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = retryBackoff, NpgsqlDbType = NpgsqlDbType.Interval });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance.Id });
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (done.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var type = reader.GetInt16(0);
                result.DoneByType[type]++;
                result.ValueSumByType[type] += reader.GetInt16(1);
            }

            await reader.NextResultAsync(cancellationToken);
        }

        if (failed.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var type = reader.GetInt16(0);
                result.FailedAttemptsByType[type]++;
                if (reader.GetFieldValue<TaskState>(1) == TaskState.Failed)
                {
                    result.DeadLetteredByType[type]++;
                }
            }
        }

        return result;
    }

    /// <summary>Extends the leases of <paramref name="ids"/>; returns the ids whose claim is still ours.</summary>
    public async Task<HashSet<Guid>> RenewAsync(Guid[] ids, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(RenewSql);
        command.Parameters.Add(UuidArray(ids));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance.Id });

        var renewed = new HashSet<Guid>(ids.Length);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            renewed.Add(reader.GetGuid(0));
        }

        return renewed;
    }

    /// <summary>
    /// Returns up to <see cref="ExpireBatchSize"/> tasks whose lease ran out (any owner: a dead consumer cannot) to
    /// <c>received</c>, or dead-letters them when they used up their attempts.
    /// </summary>
    public async Task<ExpiryResult> ExpireStaleLeasesAsync(int maxAttempts, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ExpireSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxAttempts });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ExpireBatchSize });

        var result = new ExpiryResult();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Expired++;
            if (reader.GetFieldValue<TaskState>(1) == TaskState.Failed)
            {
                result.DeadLetteredByType[reader.GetInt16(0)]++;
            }
        }

        return result;
    }

    /// <summary>Hands unfinished claims back (state <c>received</c>, attempt not counted); returns how many.</summary>
    public async Task<int> ReleaseAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(UuidArray(ids));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance.Id });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter<Guid[]> UuidArray(Guid[] ids) =>
        new() { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
}
