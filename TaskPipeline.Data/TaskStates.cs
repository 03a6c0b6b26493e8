namespace TaskPipeline.Data;

/// <summary>Task state names as the API and the database spell them.</summary>
public static class TaskStates
{
    private static readonly Dictionary<string, TaskState> ByName =
        Enum.GetValues<TaskState>().ToDictionary(Name, StringComparer.OrdinalIgnoreCase);

    public static string Allowed { get; } = string.Join(", ", Enum.GetValues<TaskState>().Select(Name));

    public static string Name(TaskState state) => state.ToString().ToLowerInvariant();

    public static bool TryParse(string text, out TaskState state) => ByName.TryGetValue(text, out state);

    public static bool IsTerminal(TaskState state) => state is TaskState.Done or TaskState.Failed or TaskState.Canceled;
}
