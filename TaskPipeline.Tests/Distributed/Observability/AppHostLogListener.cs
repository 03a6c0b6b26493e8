using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>
/// What the AppHost itself logs under one category, read in-process: Aspire.Hosting.Testing runs the AppHost inside
/// the test process, and its host's default logging includes the EventSource provider ("Microsoft-Extensions-Logging"),
/// so an <see cref="EventListener"/> started before the app sees every message the AppHost writes. These are the
/// AppHost's own notes (not any resource's console output), which ResourceLoggerService does not carry.
/// </summary>
internal sealed class AppHostLogListener : EventListener
{
    private const string LoggingEventSource = "Microsoft-Extensions-Logging";

    // LoggingEventSource.Keywords.FormattedMessage: one event per message, with its category, level and text.
    private const EventKeywords FormattedMessage = (EventKeywords)4;

    // Field initializers run before EventListener's constructor, which may already call OnEventSourceCreated.
    private readonly ConcurrentQueue<(string Category, int Level, string Message)> _messages = new();

    /// <summary>The messages logged under <paramref name="category"/>.</summary>
    public IReadOnlyList<(int Level, string Message)> For(string category) =>
        [.. _messages.Where(m => m.Category == category).Select(m => (m.Level, m.Message))];

    /// <summary>Every message, of every category.</summary>
    public IReadOnlyList<string> All() => [.. _messages.Select(m => m.Message)];

    /// <summary>Everything of <paramref name="minimumLevel"/> and above (Microsoft.Extensions.Logging levels), one per line: for failure messages.</summary>
    public string Describe(int minimumLevel = 2) =>
        string.Join('\n', _messages.Where(m => m.Level >= minimumLevel).Select(m => $"  [{m.Level}] {m.Category}: {m.Message}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == LoggingEventSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, FormattedMessage);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "FormattedMessage" || eventData.PayloadNames is null || eventData.Payload is null)
        {
            return;
        }

        var category = Payload(eventData, "LoggerName") as string;
        var message = Payload(eventData, "FormattedMessage") as string;
        if (category is not null && message is not null)
        {
            _messages.Enqueue((category, Convert.ToInt32(Payload(eventData, "Level"), System.Globalization.CultureInfo.InvariantCulture), message));
        }
    }

    private static object? Payload(EventWrittenEventArgs eventData, string name)
    {
        var index = eventData.PayloadNames!.IndexOf(name);
        return index >= 0 ? eventData.Payload![index] : null;
    }
}
