using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// The body of <c>POST /api/tasks</c>. Both fields are nullable so that an omitted one is an error, not 0. Any other
/// field is refused, not ignored: a client that sends a field this server does not know (a misspelling, or one from a
/// newer API) would otherwise get a task that silently lacks what it asked for.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record CreateTaskRequest(
    [property: Description("Task type, 0 to 9. Required.")]
    [property: Range(0, 9)]
    int? Type,
    [property: Description("Task value, 0 to 99: the simulated work takes value × Consumer:DelayPerValue. Required.")]
    [property: Range(0, 99)]
    int? Value);
