using Npgsql;
using NpgsqlTypes;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// What PostgreSQL itself allows for the task lifecycle on this machine: the same three steps the pipeline makes
/// (insert as received, claim as processing, mark done), batched <see cref="BatchSize"/> rows per statement, each
/// statement its own transaction, on <see cref="Connections"/> connections in parallel, straight from here with no
/// service in between. It runs on a copy of the tasks table (same columns, defaults, constraints and indexes), which
/// is dropped afterwards, and ends with a checkpoint so what follows starts clean.
/// </summary>
internal static class CeilingBenchmark
{
    public const int BatchSize = 1000;
    public const int Connections = 2;
    public const string Table = "ceiling_tasks";

    private const string Owner = "ceiling";

    private const string CopySql = $"COPY {Table} (id, type, value) FROM STDIN (FORMAT BINARY)";

    private const string ClaimSql = $"""
        UPDATE {Table}
        SET state = 'processing', attempts = attempts + 1, lease_owner = $2, lease_expires_at = now() + interval '30 seconds',
            redispatch_at = NULL, updated_at = now()
        WHERE id = ANY($1) AND state = 'received'
        """;

    private const string DoneSql = $"""
        UPDATE {Table}
        SET state = 'done', done_at = now(), updated_at = now(), lease_expires_at = NULL
        WHERE id = ANY($1) AND state = 'processing' AND lease_owner = $2
        """;

    /// <summary>Runs <paramref name="tasks"/> tasks through the lifecycle; the statistics are read before the table is dropped.</summary>
    public static async Task<TaskStatistics> RunAsync(string connectionString, long tasks, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 8;
        builder.ConnectionStringBuilder.ApplicationName = "taskpipeline-bench-ceiling";
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        await using var dataSource = builder.Build();

        await ExecuteAsync(dataSource, $"DROP TABLE IF EXISTS {Table}", cancellationToken);
        await ExecuteAsync(dataSource, $"CREATE TABLE {Table} (LIKE tasks INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)", cancellationToken);
        try
        {
            // Made up front: the ids cost this process's CPU, which shares the machine with the server being measured.
            var batches = MakeBatches(tasks);
            var next = -1;
            var workers = Enumerable.Range(0, Connections).Select(_ => Task.Run(
                async () =>
                {
                    await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < batches.Count)
                    {
                        await RunBatchAsync(connection, batches[index], cancellationToken);
                    }
                },
                cancellationToken));
            await Task.WhenAll(workers);

            return await TaskStatistics.ReadAsync(dataSource, Table, TimeSpan.Zero, skip: 0, cancellationToken);
        }
        finally
        {
            await ExecuteAsync(dataSource, $"DROP TABLE IF EXISTS {Table}", CancellationToken.None);
            await ExecuteAsync(dataSource, "CHECKPOINT", CancellationToken.None);
        }
    }

    private static List<CeilingBatch> MakeBatches(long tasks)
    {
        var random = new Random(42);
        var batches = new List<CeilingBatch>((int)((tasks + BatchSize - 1) / BatchSize));
        for (long made = 0; made < tasks; made += BatchSize)
        {
            var count = (int)Math.Min(BatchSize, tasks - made);
            var batch = new CeilingBatch(new Guid[count], new short[count], new short[count]);
            for (var i = 0; i < count; i++)
            {
                batch.Ids[i] = Guid.CreateVersion7();
                batch.Types[i] = (short)random.Next(10);
                batch.Values[i] = (short)random.Next(100);
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static async Task RunBatchAsync(NpgsqlConnection connection, CeilingBatch batch, CancellationToken cancellationToken)
    {
        await using (var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken))
        {
            for (var i = 0; i < batch.Ids.Length; i++)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(batch.Ids[i], NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(batch.Types[i], NpgsqlDbType.Smallint, cancellationToken);
                await importer.WriteAsync(batch.Values[i], NpgsqlDbType.Smallint, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        foreach (var sql in (string[])[ClaimSql, DoneSql])
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = batch.Ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Owner });
            var changed = await command.ExecuteNonQueryAsync(cancellationToken);
            if (changed != batch.Ids.Length)
            {
                throw new InvalidOperationException($"the ceiling's statement changed {changed} of {batch.Ids.Length} rows: {sql}");
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record CeilingBatch(Guid[] Ids, short[] Types, short[] Values);
}
