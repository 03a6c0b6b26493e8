using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// The body of <c>POST /api/tasks</c>. Type and value are nullable so that an omitted one is an error, not 0. Any other
/// field is refused, not ignored: a client that sends a field this server does not know (a misspelling, or one from a
/// newer API) would otherwise get a task that silently lacks what it asked for. <c>runAt</c> is read as text and
/// <c>delay</c> as whatever JSON it is, so that their own rules (<see cref="DueTimeRequest"/>) say what is wrong.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record CreateTaskRequest(
    [property: Description("Task type, 0 to 9. Required.")]
    [property: Range(0, 9)]
    int? Type,
    [property: Description("Task value, 0 to 99: the simulated work takes value × Consumer:DelayPerValue. Required.")]
    [property: Range(0, 99)]
    int? Value,
    [property: Description("0 (lowest) to 9 (highest), 5 when left out. Under a backlog higher priorities are dispatched first, and the oldest waiting task still gets at least a tenth of dispatch (no starvation).")]
    [property: Range(0, 9)]
    int? Priority = null,
    [property: Description("Run the task at this time (RFC 3339 with an offset, e.g. 2026-12-05T10:00:00Z), in the future and at most 365 days ahead. The task is `scheduled` until then. Not with `delay`.")]
    string? RunAt = null,
    [property: Description("Run the task after this long: seconds (a number, e.g. 90) or an ISO 8601 duration (e.g. \"PT1M30S\", \"P1D\"; weeks, days, hours, minutes, seconds), more than 0 and at most 365 days. The task is `scheduled` until then. Not with `runAt`.")]
    JsonElement? Delay = null);
