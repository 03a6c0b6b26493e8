using Google.Protobuf;
using Npgsql;
using TaskPipeline.Contracts;

namespace TaskPipeline.Tests.Support;

/// <summary>Tasks stored directly (as the Producer stores them), for tests that deliver them by hand.</summary>
internal static class TaskRows
{
    /// <summary>Stores received tasks the Producer's outbox sweep leaves alone for an hour, so only the test sends them.</summary>
    public static async Task<List<TaskItem>> InsertHeldAsync(string connectionString, int count, CancellationToken cancellationToken)
    {
        var items = Enumerable.Range(0, count)
            .Select(i => new TaskItem { Id = ToBytes(Guid.CreateVersion7()), Type = i % 10, Value = (i * 7) % 100 })
            .ToList();

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO tasks (id, type, value, redispatch_at)
            SELECT id, type, value, now() + interval '1 hour' FROM unnest($1::uuid[], $2::smallint[], $3::smallint[]) AS t(id, type, value)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => ToGuid(i.Id)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => (short)i.Type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => (short)i.Value).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return items;
    }

    public static ByteString ToBytes(Guid id)
    {
        var bytes = new byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return ByteString.CopyFrom(bytes);
    }

    public static Guid ToGuid(ByteString id) => new(id.Span, bigEndian: true);
}
