using System.Text.Json;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>One Server-Sent Event of the notification stream: id, event name, and the task it carries.</summary>
internal sealed record SseEvent(long Id, string Name, JsonElement Data)
{
    public Guid TaskId => Data.GetProperty("id").GetGuid();

    public string State => Data.GetProperty("state").GetString()!;
}
