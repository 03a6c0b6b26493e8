using System.Globalization;

namespace TaskPipeline.Benchmarks;

/// <summary>What the reference client measured of itself: its CPU over the paced tasks and their latency.</summary>
internal sealed record ReferenceClientResult(double CpuMs, double LatencyP50Ms, double LatencyP99Ms)
{
    private const string Prefix = "result";

    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Prefix} {CpuMs} {LatencyP50Ms} {LatencyP99Ms}");

    public static ReferenceClientResult? Parse(string? line)
    {
        var parts = line?.Split(' ');
        return parts is [Prefix, var cpu, var p50, var p99]
            ? new ReferenceClientResult(
                double.Parse(cpu, CultureInfo.InvariantCulture), double.Parse(p50, CultureInfo.InvariantCulture), double.Parse(p99, CultureInfo.InvariantCulture))
            : null;
    }
}
