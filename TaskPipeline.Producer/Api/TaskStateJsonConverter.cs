using System.Text.Json;
using System.Text.Json.Serialization;
using TaskPipeline.ServiceDefaults.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>Task states as the database spells them: "received", "processing", "done", "failed", "canceled".</summary>
internal sealed class TaskStateJsonConverter() : JsonStringEnumConverter<TaskState>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
