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
[JsonSerializable(typeof(IdleReport))]
[JsonSerializable(typeof(CurveReport))]
[JsonSerializable(typeof(ScheduledReport))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
