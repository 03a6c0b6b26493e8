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

    // States come back as text: a data source that connected before the migration created task_state does not know
    // the enum, and reading it as TaskState would throw (as the state::text comparisons avoid in the WHERE clauses).
    private const string FailedState = "failed";

    private const string CountKnownSql = "SELECT count(*) FROM tasks WHERE id = ANY($1)";

    // All or nothing with respect to unknown ids (with one unknown, nothing is claimed) by running in a transaction
    // that is rolled back when a count finds one; the count only runs when not every id was claimed.
    private const string ClaimSql = """
        UPDATE tasks
        SET state = 'processing', attempts = attempts + 1, lease_owner = $2, lease_expires_at = now() + $3,
            redispatch_at = NULL, updated_at = now()
        WHERE id = ANY($1) AND state::text = 'received'
        RETURNING id, type, value, attempts
        """;

    // One statement per attempt number in the batch (almost always one: the first), so the attempt is a plain value.
    // Neither alternative scales: joining unnest lets stale statistics pick a nested loop that rescans the whole array
    // per row (seconds per batch), and looking each row's attempt up by array_position scans the array per row too
    // (a 1000-task batch compares half a million ids).
    // lease_owner stays on a done task: it records which Consumer process finished it. Each statement that ends tasks
    // numbers them (event_seq, 0002_task_events.sql): that is what the Producer's notification stream reads.
    private const string CompleteDoneSql = """
        UPDATE tasks t
        SET state = 'done', done_at = now(), updated_at = now(), lease_expires_at = NULL,
            event_seq = nextval('task_event_seq')
        WHERE t.id = ANY($1) AND t.state::text = 'processing' AND t.lease_owner = $3
          AND t.attempts = $2
        RETURNING t.type, t.value
        """;

    // Backoff = RetryBackoff × 2^(attempt-1), capped at 30 s; the exponent is capped first so the interval cannot overflow.
    // Failed attempts are few (each carries its own error), so their per-row lookups by array position stay cheap.
    private const string CompleteFailedSql = """
        UPDATE tasks t
        SET state = CASE WHEN t.attempts >= $4 THEN 'failed'::task_state ELSE 'received'::task_state END,
            last_error = ($3::text[])[array_position($1, t.id)],
            lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = CASE WHEN t.attempts >= $4 THEN NULL
                                 ELSE now() + least($5 * power(2, least(t.attempts - 1, 20)), interval '30 seconds') END,
            done_at = CASE WHEN t.attempts >= $4 THEN now() END,
            event_seq = CASE WHEN t.attempts >= $4 THEN nextval('task_event_seq') END,
            updated_at = now()
        WHERE t.id = ANY($1) AND t.state::text = 'processing' AND t.lease_owner = $6
          AND t.attempts = ($2::int[])[array_position($1, t.id)]
        RETURNING t.type, t.state::text
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
            event_seq = CASE WHEN attempts >= $1 THEN nextval('task_event_seq') END,
            updated_at = now()
        WHERE id IN (SELECT id FROM tasks
                     WHERE state = 'processing' AND lease_expires_at < now()
                     ORDER BY lease_expires_at LIMIT $2
                     FOR UPDATE SKIP LOCKED)
        RETURNING type, state::text
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
    /// Claims the received tasks among <paramref name="ids"/>: one statement, and its commit. <c>Known</c> is how many
    /// of the ids exist; when it is less than all of them, nothing was claimed. Only when some id was not claimed (a
    /// duplicate delivery, or an unknown id) are the ids counted, which costs a second lookup of each.
    /// </summary>
    public async Task<(long Known, List<ClaimedTask> Claimed)> ClaimAsync(Guid[] ids, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // BEGIN travels with the claim: the transaction costs one round trip more, its commit.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = new List<ClaimedTask>(ids.Length);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.Add(UuidArray(ids));
            claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance.Id });
            claim.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease, NpgsqlDbType = NpgsqlDbType.Interval });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new ClaimedTask(
                    reader.GetGuid(0),
                    reader.GetInt16(1),
                    reader.GetInt16(2),
                    reader.GetInt32(3)));
            }
        }

        long known = ids.Length;
        if (claimed.Count < ids.Length)
        {
            await using var count = new NpgsqlCommand(CountKnownSql, connection, transaction);
            count.Parameters.Add(UuidArray(ids));
            known = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (known < ids.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (known, []);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (known, claimed);
    }

    /// <summary>
    /// Writes a batch of outcomes (successes and failed attempts) in one round trip and one transaction: one statement
    /// for the successes of each attempt number (almost always one), one for the failed attempts.
    /// </summary>
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
        var doneStatements = done.Count == 0 ? [] : ByAttempt(done);
        foreach (var (attempt, ids) in doneStatements)
        {
            var command = new NpgsqlBatchCommand(CompleteDoneSql);
            command.Parameters.Add(UuidArray(ids));
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt });
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
        foreach (var _ in doneStatements)
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
                if (reader.GetString(1) == FailedState)
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
            if (reader.GetString(1) == FailedState)
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

    /// <summary>The outcomes' ids per attempt number; one pass and one array in the usual case of a single attempt number.</summary>
    private static List<(int Attempt, Guid[] Ids)> ByAttempt(IReadOnlyList<TaskOutcome> outcomes)
    {
        var first = outcomes[0].Attempt;
        var ids = new Guid[outcomes.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            if (outcomes[i].Attempt != first)
            {
                return [.. outcomes.GroupBy(o => o.Attempt).Select(g => (g.Key, g.Select(o => o.Id).ToArray()))];
            }

            ids[i] = outcomes[i].Id;
        }

        return [(first, ids)];
    }

    private static NpgsqlParameter<Guid[]> UuidArray(Guid[] ids) =>
        new() { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
}
