using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.Producer.Api;

/// <summary>The body of <c>POST /api/tasks</c>. Both fields are nullable so that an omitted one is an error, not 0.</summary>
internal sealed record CreateTaskRequest(
    [property: Description("Task type, 0 to 9. Required.")]
    [property: Range(0, 9)]
    int? Type,
    [property: Description("Task value, 0 to 99: the simulated work takes value × Consumer:DelayPerValue. Required.")]
    [property: Range(0, 99)]
    int? Value);
