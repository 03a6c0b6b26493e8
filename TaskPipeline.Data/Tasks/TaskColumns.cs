using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// Reads <see cref="TaskSql.Columns"/> into a <see cref="TaskRecord"/>. States travel as text: a data source whose first
/// connection predates the migration that created the task_state enum does not know the type (a standalone Producer
/// on an empty database has one).
/// </summary>
internal static class TaskColumns
{
    /// <summary>Reads the columns starting at <paramref name="first"/>.</summary>
    public static TaskRecord Read(NpgsqlDataReader reader, int first) => new(
        reader.GetGuid(first),
        reader.GetInt16(first + 1),
        reader.GetInt16(first + 2),
        StateAt(reader, first + 3),
        reader.GetInt32(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        reader.GetFieldValue<DateTimeOffset>(first + 6),
        reader.GetFieldValue<DateTimeOffset>(first + 7),
        reader.IsDBNull(first + 8) ? null : reader.GetFieldValue<DateTimeOffset>(first + 8),
        reader.IsDBNull(first + 9) ? null : reader.GetFieldValue<DateTimeOffset>(first + 9),
        reader.GetInt16(first + 10));

    public static TaskState StateAt(NpgsqlDataReader reader, int ordinal) =>
        TaskStates.TryParse(reader.GetString(ordinal), out var state)
            ? state
            : throw new InvalidOperationException($"unknown task state '{reader.GetString(ordinal)}'");
}
