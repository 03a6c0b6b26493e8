using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Notifications;

/// <summary>Which events a notification stream carries (<c>?type=</c>).</summary>
internal sealed class NotificationFilter
{
    public static readonly NotificationFilter All = new("all", [TaskState.Done, TaskState.Failed, TaskState.Canceled]);

    private static readonly NotificationFilter[] Known =
    [
        All,
        new("completed", [TaskState.Done]),
        new("failed", [TaskState.Failed]),
        new("canceled", [TaskState.Canceled]),
    ];

    private NotificationFilter(string name, TaskState[] states)
    {
        Name = name;
        States = states;
    }

    public string Name { get; }

    /// <summary>The terminal states whose events pass.</summary>
    public TaskState[] States { get; }

    public static string[] Names { get; } = [.. Known.Select(filter => filter.Name)];

    public static string Allowed => string.Join(", ", Names);

    public static bool TryParse(string? text, out NotificationFilter filter)
    {
        if (string.IsNullOrEmpty(text))
        {
            filter = All;
            return true;
        }

        filter = Array.Find(Known, known => string.Equals(known.Name, text, StringComparison.OrdinalIgnoreCase))!;
        return filter is not null;
    }

    public bool Matches(TaskEvent taskEvent) => Array.IndexOf(States, taskEvent.Task.State) >= 0;
}
