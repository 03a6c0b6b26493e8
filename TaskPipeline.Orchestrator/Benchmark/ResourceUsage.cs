using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Benchmark;

/// <summary>
/// CPU time and peak memory of the pipeline's processes at one moment, per resource: each service's replicas summed
/// (CPU) or the largest one (memory); PostgreSQL as the postmaster and every process it started (backends, background
/// workers), including those that already exited, whose time the postmaster collected when it reaped them.
/// </summary>
internal sealed class ResourceUsage
{
    private ResourceUsage(Dictionary<string, TimeSpan> cpu, Dictionary<string, long> peakRss, Dictionary<string, int[]> pids)
    {
        Cpu = cpu;
        PeakRss = peakRss;
        Pids = pids;
    }

    /// <summary>CPU time used so far, per resource (producer, consumer, postgres).</summary>
    public IReadOnlyDictionary<string, TimeSpan> Cpu { get; }

    /// <summary>Peak resident memory in bytes, per resource: the largest of its processes (VmHWM).</summary>
    public IReadOnlyDictionary<string, long> PeakRss { get; }

    /// <summary>The processes measured, per resource (a different set later means a replica restarted in between).</summary>
    public IReadOnlyDictionary<string, int[]> Pids { get; }

    public static ResourceUsage Sample(IEnumerable<ResourceSnapshot> resources)
    {
        var cpu = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var peakRss = new Dictionary<string, long>(StringComparer.Ordinal);
        var pids = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var group in resources.Where(r => r.Pid is not null).GroupBy(r => r.Name, StringComparer.Ordinal))
        {
            var processes = new List<int>();
            var total = TimeSpan.Zero;
            long peak = 0;
            foreach (var resource in group)
            {
                var pid = resource.Pid!.Value;
                if (ProcFs.ReadCpu(pid) is not { } own)
                {
                    continue;
                }

                processes.Add(pid);
                total += own.Own + own.Reaped;
                peak = Math.Max(peak, ProcFs.ReadPeakRss(pid) ?? 0);
                if (group.Key == PipelineOptions.PostgresResource)
                {
                    foreach (var child in ProcFs.ReadChildren(pid))
                    {
                        total += child.Own + child.Reaped;
                        peak = Math.Max(peak, ProcFs.ReadPeakRss(child.Pid) ?? 0);
                    }
                }
            }

            cpu[group.Key] = total;
            peakRss[group.Key] = peak;
            pids[group.Key] = [.. processes];
        }

        return new ResourceUsage(cpu, peakRss, pids);
    }

    /// <summary>This sample with <paramref name="other"/>'s figures for the resources <paramref name="other"/> has.</summary>
    public ResourceUsage With(ResourceUsage other)
    {
        var cpu = new Dictionary<string, TimeSpan>(Cpu, StringComparer.Ordinal);
        var peakRss = new Dictionary<string, long>(PeakRss, StringComparer.Ordinal);
        var pids = new Dictionary<string, int[]>(Pids, StringComparer.Ordinal);
        foreach (var resource in other.Cpu.Keys)
        {
            cpu[resource] = other.Cpu[resource];
            peakRss[resource] = other.PeakRss[resource];
            pids[resource] = other.Pids[resource];
        }

        return new ResourceUsage(cpu, peakRss, pids);
    }

    /// <summary>CPU used between <paramref name="start"/> and this sample; a resource absent at the start counts from zero.</summary>
    public TimeSpan CpuSince(ResourceUsage start, string resource) =>
        Cpu.GetValueOrDefault(resource) - start.Cpu.GetValueOrDefault(resource);
}
