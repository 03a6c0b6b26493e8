using System.Text.Json;
using System.Text.Json.Serialization;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// Source-generated serialization of the API's bodies. Numbers are strict: <c>"type": "3"</c> is an error like any
/// other wrong type, not a number.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateTaskRequest))]
[JsonSerializable(typeof(TaskRecord))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(TaskStats))]
[JsonSerializable(typeof(RetryManyResponse))]
[JsonSerializable(typeof(CallerInfo))]
[JsonSerializable(typeof(PipelineState))]
internal sealed partial class TaskApiJsonContext : JsonSerializerContext;
