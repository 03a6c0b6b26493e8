using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Idempotent creates (0007_scheduling.sql): a client's key names one task for <see cref="KeyLifetime"/>. The key's
/// row and the task are written in one transaction, and the key's unique index makes concurrent creates under one key
/// wait for the first and then find its row: one task, however many try.
/// </summary>
public sealed class TaskIdempotency(NpgsqlDataSource dataSource)
{
    /// <summary>How long a key names its task; after that the key may name a new one.</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromHours(24);

    // A live key's row is left as it is (no row returned); an expired one is taken over by this create.
    private const string TakeKeySql = """
        INSERT INTO task_idempotency_keys AS k (client, key, request_hash, task_id, expires_at)
        VALUES ($1, $2, $3, $4, now() + $5)
        ON CONFLICT (client, key) DO UPDATE
        SET request_hash = excluded.request_hash, task_id = excluded.task_id, response = NULL, created_at = now(),
            expires_at = excluded.expires_at
        WHERE k.expires_at <= now()
        RETURNING 1
        """;

    private const string StoreResponseSql = "UPDATE task_idempotency_keys SET response = $3 WHERE client = $1 AND key = $2";

    // A statement of its own, so that it sees the row of a create that committed while TakeKeySql waited for it.
    private const string ReadKeySql = """
        SELECT request_hash, response, task_id FROM task_idempotency_keys WHERE client = $1 AND key = $2 AND expires_at > now()
        """;

    /// <summary>
    /// Creates <paramref name="task"/> under <paramref name="client"/>'s <paramref name="key"/> unless the key already
    /// names a task; <paramref name="render"/> makes the answer kept for repeats. A key whose row vanished or expired
    /// between the two looks (retention deleted it) is tried again.
    /// </summary>
    public async Task<IdempotentCreate> CreateOnceAsync(
        string client, string key, byte[] requestHash, NewTask task, DueTime due, Func<TaskRecord, string> render, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(render);
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var take = new NpgsqlCommand(TakeKeySql, connection, transaction))
            {
                AddKey(take, client, key);
                take.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = requestHash });
                take.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = task.Id });
                take.Parameters.Add(TaskSql.Interval(KeyLifetime));
                if (await take.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    var created = await TaskStorage.InsertAsync(connection, transaction, task, due, cancellationToken);
                    await using var store = new NpgsqlCommand(StoreResponseSql, connection, transaction);
                    AddKey(store, client, key);
                    store.Parameters.Add(new NpgsqlParameter<string> { TypedValue = render(created) });
                    await store.ExecuteNonQueryAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return new IdempotentCreate(created, SameRequest: true, null, created.Id);
                }
            }

            await using (var read = new NpgsqlCommand(ReadKeySql, connection, transaction))
            {
                AddKey(read, client, key);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    var sameRequest = reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(requestHash);
                    return new IdempotentCreate(null, sameRequest, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetGuid(2));
                }
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"idempotency key '{key}' was neither free nor readable in three tries");
            }
        }
    }

    /// <summary>
    /// What <paramref name="client"/>'s live <paramref name="key"/> names, if anything: for a request that is not valid
    /// now but may repeat one that was (a delayed create whose due time has passed since).
    /// </summary>
    public async Task<IdempotentCreate?> FindAsync(string client, string key, byte[] requestHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new NpgsqlCommand(ReadKeySql, connection);
        AddKey(read, client, key);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new IdempotentCreate(null, reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(requestHash), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetGuid(2))
            : null;
    }

    private static void AddKey(NpgsqlCommand command, string client, string key)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = client });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
    }
}
