using System.Text.Json.Serialization;

namespace TaskPipeline.Benchmarks;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BenchmarkReport))]
[JsonSerializable(typeof(List<BenchmarkReport>))]
[JsonSerializable(typeof(ReadsReport))]
[JsonSerializable(typeof(SoakReport))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
