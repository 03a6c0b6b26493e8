using System.ComponentModel;
using System.Text.Json.Serialization;
using TaskPipeline.Data;

namespace TaskPipeline.Data.Tasks;

/// <summary>A task as it is read: the row of the tasks table, without the lease bookkeeping. The API answers with it as it is.</summary>
public sealed record TaskRecord(
    [property: Description("UUIDv7: ids sort by creation time.")]
    Guid Id,
    [property: Description("0 to 9.")]
    int Type,
    [property: Description("0 to 99.")]
    int Value,
    [property: Description("scheduled (a delayed task not due yet) → received → processing → done; failed (the dead letter) and canceled are the other terminal states.")]
    [property: JsonConverter(typeof(TaskStateJsonConverter))]
    TaskState State,
    [property: Description("Processing attempts so far (claims by a Consumer).")]
    int Attempts,
    [property: Description("The error of the last failed attempt, or why the lease expired.")]
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: Description("When the task reached its terminal state (done, failed or canceled).")]
    DateTimeOffset? FinishedAt,
    [property: Description("When a delayed task is due (it was created with runAt or delay); null for a task that runs at once.")]
    DateTimeOffset? RunAt,
    [property: Description("0 (lowest) to 9 (highest); 5 unless the creator gave one.")]
    int Priority);
