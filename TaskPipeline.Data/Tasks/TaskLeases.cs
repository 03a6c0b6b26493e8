using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Renew, release and expire the leases of processing tasks: a renewal keeps the owner's claim, a release hands an
/// unfinished claim back to <c>received</c>, an expiry ends the claim of an owner that stopped renewing (back to
/// <c>received</c>, or <c>failed</c> when the attempts are used up).
/// </summary>
public sealed class TaskLeases(NpgsqlDataSource dataSource)
{
    /// <summary>Most stale leases expired per statement, so one sweep never holds many row locks.</summary>
    public const int ExpireBatchSize = 1000;

    // Renewals and releases are few (only claims older than LeaseDuration/6, or a stop), so looking each row's claim up
    // by its position in the id array stays cheap.
    private const string RenewSql = """
        UPDATE tasks SET lease_expires_at = now() + $2
        WHERE id = ANY($1) AND state::text = 'processing' AND lease_owner = $3
          AND claim = ($4::int[])[array_position($1, id)]
        RETURNING id
        """;

    private static readonly string ExpireSql = $"""
        UPDATE tasks
        SET state = CASE WHEN attempts >= $1 THEN 'failed'::task_state ELSE 'received'::task_state END,
            last_error = 'lease expired (owner ' || lease_owner || ')',
            lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = CASE WHEN attempts >= $1 THEN NULL ELSE now() END,
            {TaskSql.EndedWhen("attempts >= $1")},
            updated_at = now()
        WHERE id IN (SELECT id FROM tasks
                     WHERE state = 'processing' AND lease_expires_at < now()
                     ORDER BY lease_expires_at LIMIT $2
                     FOR UPDATE SKIP LOCKED)
        RETURNING type, state::text
        """;

    // The released attempt did not run to an end, so it does not count against the attempts; the claim number stays
    // raised, so no later statement of the released claim can touch the next one.
    private const string ReleaseSql = """
        UPDATE tasks
        SET state = 'received', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL,
            redispatch_at = now(), updated_at = now()
        WHERE id = ANY($1) AND state::text = 'processing' AND lease_owner = $2
          AND claim = ($3::int[])[array_position($1, id)]
        """;

    /// <summary>
    /// Extends the leases of the claims <paramref name="ids"/>[i] / <paramref name="claims"/>[i]; returns the ids whose
    /// claim is still <paramref name="owner"/>'s.
    /// </summary>
    public async Task<HashSet<Guid>> RenewAsync(Guid[] ids, int[] claims, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(RenewSql);
        command.Parameters.Add(TaskSql.Ids(ids));
        command.Parameters.Add(TaskSql.Interval(lease));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = claims });

        var renewed = new HashSet<Guid>(ids.Length);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            renewed.Add(reader.GetGuid(0));
        }

        return renewed;
    }

    /// <summary>
    /// Returns up to <see cref="ExpireBatchSize"/> tasks whose lease ran out (any owner: a dead one cannot) to
    /// <c>received</c>, or dead-letters them when they used up their attempts.
    /// </summary>
    public async Task<ExpiryResult> ExpireStaleAsync(int maxAttempts, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ExpireSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxAttempts });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ExpireBatchSize });

        var result = new ExpiryResult();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Expired++;
            if (reader.GetString(1) == TaskSql.FailedState)
            {
                result.DeadLetteredByType[reader.GetInt16(0)]++;
            }
        }

        return result;
    }

    /// <summary>Hands unfinished claims back (state <c>received</c>, attempt not counted); returns how many.</summary>
    public async Task<int> ReleaseAsync(Guid[] ids, int[] claims, string owner, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(TaskSql.Ids(ids));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = claims });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
