namespace TaskPipeline.Data;

/// <summary>
/// What a task may be: the generator draws from these ranges, the API and the Consumer validate against them, and the
/// schema's CHECK constraints are written from them (DbUp variables in 0001_create_tasks.sql and 0007_scheduling.sql).
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

    /// <summary>Priorities: 0 is the lowest, 9 the highest; a task made without one has <see cref="DefaultPriority"/>.</summary>
    public const int MinPriority = 0;
    public const int MaxPriority = 9;
    public const int DefaultPriority = 5;

    /// <summary>The furthest ahead a delayed task may be due.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(365);

    /// <summary>The migration scripts' variables, so the CHECK constraints say what these constants say.</summary>
    internal static Dictionary<string, string> SchemaVariables { get; } = new()
    {
        [nameof(MinType)] = MinType.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MaxType)] = MaxType.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MinValue)] = MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MaxValue)] = MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MinPriority)] = MinPriority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MaxPriority)] = MaxPriority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(DefaultPriority)] = DefaultPriority.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
