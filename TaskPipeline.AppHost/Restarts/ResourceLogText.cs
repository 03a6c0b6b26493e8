using System.Globalization;

namespace TaskPipeline.AppHost.Restarts;

/// <summary>A line of a resource's log as Aspire keeps it: DCP puts a timestamp in front of what the process wrote.</summary>
internal static class ResourceLogText
{
    /// <summary>"2026-12-02T02:12:36.0085590Z text" → "text".</summary>
    public static string WithoutTimestamp(string content)
    {
        var space = content.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && DateTimeOffset.TryParse(content.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            ? content[(space + 1)..]
            : content;
    }
}
