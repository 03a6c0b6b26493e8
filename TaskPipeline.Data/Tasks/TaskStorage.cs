using NpgsqlTypes;
using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>Store: new tasks become <c>received</c>, one binary COPY per batch, all rows or none.</summary>
public sealed class TaskStorage(NpgsqlDataSource dataSource)
{
    // state, attempts and created_at come from the column defaults.
    private const string CopyCommand = "COPY tasks (id, type, value) FROM STDIN (FORMAT BINARY)";

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
        }

        // Disposing an importer that was not completed cancels the COPY, so a failure part-way stores nothing.
        await importer.CompleteAsync(cancellationToken);
    }
}
