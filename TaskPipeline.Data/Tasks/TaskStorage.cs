using NpgsqlTypes;
using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Store: new tasks become <c>received</c>, one binary COPY per batch, all rows or none; one task made through the API
/// is one INSERT, <c>scheduled</c> when it is delayed.
/// </summary>
public sealed class TaskStorage(NpgsqlDataSource dataSource)
{
    // state, attempts and created_at come from the column defaults.
    private const string CopyCommand = "COPY tasks (id, type, value, priority) FROM STDIN (FORMAT BINARY)";

    // A delayed task is due at runAt ($4), or delay ($5) after the database's now, so that every due time is on the
    // clock the scheduler compares with; without either it is received at once.
    internal const string InsertSql = $"""
        INSERT INTO tasks (id, type, value, priority, state, run_at)
        SELECT $1, $2, $3, $6,
               CASE WHEN due IS NULL THEN 'received' ELSE 'scheduled' END::task_state,
               due
        FROM (SELECT coalesce($4, now() + $5) AS due) AS delayed
        RETURNING {TaskSql.Columns}
        """;

    /// <summary>Stores the batch. An id that exists already fails the whole batch with a unique violation (23505).</summary>
    public async Task StoreAsync(ReadOnlyMemory<NewTask> tasks, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken);
        for (var i = 0; i < tasks.Length; i++)
        {
            var task = tasks.Span[i];
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(task.Id, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(task.Type, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync(task.Value, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync((short)task.Priority, NpgsqlDbType.Smallint, cancellationToken);
        }

        // Disposing an importer that was not completed cancels the COPY, so a failure part-way stores nothing.
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Stores one task and returns it as stored: <c>scheduled</c> until <paramref name="due"/> when it has one (a time,
    /// or a delay from now), else <c>received</c>.
    /// </summary>
    public async Task<TaskRecord> InsertAsync(NewTask task, DueTime due, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await InsertAsync(connection, null, task, due, cancellationToken);
    }

    /// <summary><see cref="InsertAsync(NewTask, DueTime, CancellationToken)"/> on a connection, in a transaction of the caller's.</summary>
    internal static async Task<TaskRecord> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, NewTask task, DueTime due, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = task.Id });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = task.Type });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = task.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = due.At is { } at ? at.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = due.Delay is { } delay ? delay : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = task.Priority });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? TaskColumns.Read(reader, 0)
            : throw new InvalidOperationException($"task {task.Id} was inserted but not returned");
    }
}
