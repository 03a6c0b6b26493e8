namespace TaskPipeline.Benchmarks;

/// <summary>
/// CPU time and peak memory of the app's processes at one moment, per resource. Each replica is the process Aspire
/// reports for it (<c>executable.pid</c>) and every process under it, from /proc: a project replica's <c>dotnet run</c>
/// wrapper and the service it runs; PostgreSQL's postmaster and every process it started (backends, background
/// workers), including those that already exited, whose time the postmaster collected when it reaped them. CPU is
/// summed over a resource's replicas; memory is its largest process.
/// </summary>
internal sealed class ResourceUsage
{
    private ResourceUsage(Dictionary<string, TimeSpan> cpu, Dictionary<string, TimeSpan> rootCpu, Dictionary<string, long> peakRss, Dictionary<string, int[]> pids)
    {
        Cpu = cpu;
        RootCpu = rootCpu;
        PeakRss = peakRss;
        Pids = pids;
    }

    /// <summary>CPU time used so far, per resource (producer, consumer, postgres).</summary>
    public IReadOnlyDictionary<string, TimeSpan> Cpu { get; }

    /// <summary>The part of <see cref="Cpu"/> that is the replicas' root processes' own (for a service: its <c>dotnet run</c> wrapper).</summary>
    public IReadOnlyDictionary<string, TimeSpan> RootCpu { get; }

    /// <summary>Peak resident memory in bytes, per resource: the largest of its processes (VmHWM).</summary>
    public IReadOnlyDictionary<string, long> PeakRss { get; }

    /// <summary>The replicas' root processes, per resource (a different set later means a replica restarted in between).</summary>
    public IReadOnlyDictionary<string, int[]> Pids { get; }

    /// <param name="replicas">Each replica's resource name and the pid Aspire reports for it.</param>
    public static ResourceUsage Sample(IEnumerable<(string Resource, int Pid)> replicas)
    {
        var all = ProcFs.ReadAll();
        var cpu = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var rootCpu = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var peakRss = new Dictionary<string, long>(StringComparer.Ordinal);
        var pids = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var group in replicas.GroupBy(r => r.Resource, StringComparer.Ordinal))
        {
            var rootPids = new List<int>();
            var total = TimeSpan.Zero;
            var roots = TimeSpan.Zero;
            long peak = 0;
            foreach (var (_, pid) in group)
            {
                var tree = ProcFs.ReadTree(pid, all);
                if (tree.Count == 0)
                {
                    continue;
                }

                rootPids.Add(pid);
                roots += tree[0].Own;
                foreach (var process in tree)
                {
                    total += process.Own + process.Reaped;
                    peak = Math.Max(peak, ProcFs.ReadPeakRss(process.Pid) ?? 0);
                }
            }

            cpu[group.Key] = total;
            rootCpu[group.Key] = roots;
            peakRss[group.Key] = peak;
            pids[group.Key] = [.. rootPids.Order()];
        }

        return new ResourceUsage(cpu, rootCpu, peakRss, pids);
    }

    /// <summary>This sample with <paramref name="other"/>'s figures for the resources <paramref name="other"/> has.</summary>
    public ResourceUsage With(ResourceUsage other)
    {
        var cpu = new Dictionary<string, TimeSpan>(Cpu, StringComparer.Ordinal);
        var rootCpu = new Dictionary<string, TimeSpan>(RootCpu, StringComparer.Ordinal);
        var peakRss = new Dictionary<string, long>(PeakRss, StringComparer.Ordinal);
        var pids = new Dictionary<string, int[]>(Pids, StringComparer.Ordinal);
        foreach (var resource in other.Cpu.Keys)
        {
            cpu[resource] = other.Cpu[resource];
            rootCpu[resource] = other.RootCpu[resource];
            peakRss[resource] = other.PeakRss[resource];
            pids[resource] = other.Pids[resource];
        }

        return new ResourceUsage(cpu, rootCpu, peakRss, pids);
    }

    /// <summary>CPU used between <paramref name="start"/> and this sample; a resource absent at the start counts from zero.</summary>
    public TimeSpan CpuSince(ResourceUsage start, string resource) =>
        Cpu.GetValueOrDefault(resource) - start.Cpu.GetValueOrDefault(resource);

    /// <summary>The root processes' own part of <see cref="CpuSince"/>.</summary>
    public TimeSpan RootCpuSince(ResourceUsage start, string resource) =>
        RootCpu.GetValueOrDefault(resource) - start.RootCpu.GetValueOrDefault(resource);
}
