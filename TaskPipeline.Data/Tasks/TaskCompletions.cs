using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Complete: processing tasks become <c>done</c>, or after a failed attempt <c>received</c> again (with backoff) or
/// <c>failed</c> (the dead letter) when their attempts are used up. Only the claim the owner still holds changes.
/// </summary>
public sealed class TaskCompletions(NpgsqlDataSource dataSource)
{
    // One statement per claim number in the batch (almost always one: the first), so the claim is a plain value.
    // Neither alternative scales: joining unnest lets stale statistics pick a nested loop that rescans the whole array
    // per row (seconds per batch), and looking each row's claim up by array_position scans the array per row too
    // (a 1000-task batch compares half a million ids).
    // lease_owner stays on a done task: it records which Consumer process finished it.
    private const string CompleteDoneSql = $"""
        UPDATE tasks t
        SET state = 'done', updated_at = now(), lease_expires_at = NULL, {TaskSql.Ended}
        WHERE t.id = ANY($1) AND t.state::text = 'processing' AND t.lease_owner = $3
          AND t.claim = $2
        RETURNING t.type, t.value
        """;

    // Backoff = retryBackoff × 2^(attempt-1), capped at 30 s; the exponent is capped first so the interval cannot overflow.
    // Failed attempts are few (each carries its own error), so their per-row lookups by array position stay cheap.
    private static readonly string CompleteFailedSql = $"""
        UPDATE tasks t
        SET state = CASE WHEN t.attempts >= $4 THEN 'failed'::task_state ELSE 'received'::task_state END,
            last_error = ($3::text[])[array_position($1, t.id)],
            lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = CASE WHEN t.attempts >= $4 THEN NULL
                                 ELSE now() + least($5 * power(2, least(t.attempts - 1, 20)), interval '30 seconds') END,
            {TaskSql.EndedWhen("t.attempts >= $4")},
            updated_at = now()
        WHERE t.id = ANY($1) AND t.state::text = 'processing' AND t.lease_owner = $6
          AND t.claim = ($2::int[])[array_position($1, t.id)]
        RETURNING t.type, t.state::text
        """;

    /// <summary>
    /// Writes a batch of outcomes (successes and failed attempts) in one round trip and one transaction: one statement
    /// for the successes of each claim number (almost always one), one for the failed attempts.
    /// </summary>
    public async Task<CompletionResult> CompleteAsync(
        IReadOnlyList<TaskOutcome> done,
        IReadOnlyList<TaskOutcome> failed,
        string owner,
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
        var doneStatements = done.Count == 0 ? [] : ByClaim(done);
        foreach (var (claim, ids) in doneStatements)
        {
            var command = new NpgsqlBatchCommand(CompleteDoneSql);
            command.Parameters.Add(TaskSql.Ids(ids));
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = claim });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
            batch.BatchCommands.Add(command);
        }

        if (failed.Count > 0)
        {
            var command = new NpgsqlBatchCommand(CompleteFailedSql);
            command.Parameters.Add(TaskSql.Ids([.. failed.Select(o => o.Id)]));
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. failed.Select(o => o.Claim)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. failed.Select(o => o.Error ?? string.Empty)] });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxAttempts });
            command.Parameters.Add(TaskSql.Interval(retryBackoff));
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
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
                if (reader.GetString(1) == TaskSql.FailedState)
                {
                    result.DeadLetteredByType[type]++;
                }
            }
        }

        return result;
    }

    /// <summary>The outcomes' ids per claim number; one pass and one array in the usual case of a single claim number.</summary>
    private static List<(int Claim, Guid[] Ids)> ByClaim(IReadOnlyList<TaskOutcome> outcomes)
    {
        var first = outcomes[0].Claim;
        var ids = new Guid[outcomes.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            if (outcomes[i].Claim != first)
            {
                return [.. outcomes.GroupBy(o => o.Claim).Select(g => (g.Key, g.Select(o => o.Id).ToArray()))];
            }

            ids[i] = outcomes[i].Id;
        }

        return [(first, ids)];
    }
}
