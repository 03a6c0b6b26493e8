using System.Text.Json.Serialization;

namespace TaskPipeline.Benchmarks;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BenchmarkReport))]
[JsonSerializable(typeof(List<BenchmarkReport>))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
