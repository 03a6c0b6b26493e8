namespace TaskPipeline.Data;

/// <summary>
/// What a task may be: the generator draws from these ranges, the API and the Consumer validate against them, and the
/// schema's CHECK constraints are written from them (DbUp variables in 0001_create_tasks.sql).
/// </summary>
public static class TaskLimits
{
    public const int MinType = 0;
    public const int MaxType = 9;
    public const int MinValue = 0;
    public const int MaxValue = 99;

    /// <summary>Types 0 to <see cref="MaxType"/>: the length of every per-type array and metric.</summary>
    public const int TypeCount = MaxType + 1;

    public const int ValueCount = MaxValue + 1;

    /// <summary>The migration scripts' variables, so the CHECK constraints say what these constants say.</summary>
    internal static Dictionary<string, string> SchemaVariables { get; } = new()
    {
        [nameof(MinType)] = MinType.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MaxType)] = MaxType.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MinValue)] = MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MaxValue)] = MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
