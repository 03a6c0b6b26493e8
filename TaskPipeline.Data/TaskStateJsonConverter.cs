using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskPipeline.Data;

/// <summary>Task states as the database spells them: "received", "processing", "done", "failed", "canceled".</summary>
public sealed class TaskStateJsonConverter() : JsonStringEnumConverter<TaskState>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
