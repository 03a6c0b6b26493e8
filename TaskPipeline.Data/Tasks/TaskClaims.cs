using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Claim: received tasks become <c>processing</c> under a lease of one owner. A claim is identified by
/// (id, lease_owner, claim): claim is raised by every claim and never lowered (a retry resets attempts, a release
/// gives one back, neither touches claim), so every later statement on it only touches rows whose claim is still that one.
/// </summary>
public sealed class TaskClaims(NpgsqlDataSource dataSource)
{
    private const string CountKnownSql = "SELECT count(*) FROM tasks WHERE id = ANY($1)";

    // All or nothing with respect to unknown ids (with one unknown, nothing is claimed) by running in a transaction
    // that is rolled back when a count finds one; the count only runs when not every id was claimed.
    private const string ClaimSql = """
        UPDATE tasks
        SET state = 'processing', attempts = attempts + 1, claim = claim + 1, lease_owner = $2, lease_expires_at = now() + $3,
            redispatch_at = NULL, updated_at = now()
        WHERE id = ANY($1) AND state::text = 'received'
        RETURNING id, type, value, attempts, claim
        """;

    /// <summary>
    /// Claims the received tasks among <paramref name="ids"/> for <paramref name="owner"/>: one statement, and its
    /// commit. <c>Known</c> is how many of the ids exist; when it is less than all of them, nothing was claimed. Only
    /// when some id was not claimed (a duplicate delivery, or an unknown id) are the ids counted, which costs a second
    /// lookup of each.
    /// </summary>
    public async Task<(long Known, List<ClaimedTask> Claimed)> ClaimAsync(
        Guid[] ids, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // BEGIN travels with the claim: the transaction costs one round trip more, its commit.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = new List<ClaimedTask>(ids.Length);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.Add(TaskSql.Ids(ids));
            claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
            claim.Parameters.Add(TaskSql.Interval(lease));
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new ClaimedTask(reader.GetGuid(0), reader.GetInt16(1), reader.GetInt16(2), reader.GetInt32(3), reader.GetInt32(4)));
            }
        }

        long known = ids.Length;
        if (claimed.Count < ids.Length)
        {
            await using var count = new NpgsqlCommand(CountKnownSql, connection, transaction);
            count.Parameters.Add(TaskSql.Ids(ids));
            known = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (known < ids.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (known, []);
            }
        }

        // Not cancelable: a commit interrupted by the caller's deadline may still have committed, and a claim that
        // committed but was never queued would sit processing until its lease expired, costing the task an attempt.
        await transaction.CommitAsync(CancellationToken.None);
        return (known, claimed);
    }
}
