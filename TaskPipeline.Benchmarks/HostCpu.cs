using System.Globalization;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// CPU time so far of every process a run involves, by group: each resource's replicas with every process under them
/// (as <see cref="ResourceUsage"/>), and the ones around the pipeline: DCP, the Aspire dashboard, and the AppHost (this
/// process, which hosts it). Read from /proc, so measuring costs the measured processes nothing.
/// </summary>
internal static class HostCpu
{
    public const string Dcp = "dcp";
    public const string Dashboard = "dashboard";
    public const string AppHost = "apphost";

    private const string DashboardMarker = "Aspire.Dashboard";

    public static Dictionary<string, TimeSpan> Sample(BenchmarkApp app)
    {
        var all = ProcFs.ReadAll();
        var groups = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var counted = new HashSet<int>();
        void Add(string group, IEnumerable<ProcessCpu> processes)
        {
            foreach (var process in processes)
            {
                if (counted.Add(process.Pid))
                {
                    groups[group] = groups.GetValueOrDefault(group) + process.Own + process.Reaped;
                }
            }
        }

        foreach (var (resource, pid) in app.Processes())
        {
            Add(resource, ProcFs.ReadTree(pid, all));
        }

        // DCP detaches from the AppHost (its parent becomes init) and watches it with --monitor <pid>; the dashboard is
        // one of its executables. Everything under DCP that is not a resource's is DCP's own.
        var self = Environment.ProcessId;
        var selfText = self.ToString(CultureInfo.InvariantCulture);
        var around = all.Values
            .Where(process => ProcFs.ReadCommandLine(process.Pid) is { Count: > 0 } arguments
                && Path.GetFileName(arguments[0]) == "dcp"
                && arguments.SkipWhile(argument => argument != "--monitor").Skip(1).FirstOrDefault() == selfText)
            .SelectMany(process => ProcFs.ReadTree(process.Pid, all))
            .Concat(ProcFs.ReadTree(self, all).Skip(1))
            .ToList();
        foreach (var process in around.Where(process => ProcFs.ReadCommandLine(process.Pid).Any(argument => argument.Contains(DashboardMarker, StringComparison.Ordinal))))
        {
            Add(Dashboard, ProcFs.ReadTree(process.Pid, all));
        }

        Add(Dcp, around.Where(process => !counted.Contains(process.Pid)));
        if (all.TryGetValue(self, out var host))
        {
            groups[AppHost] = host.Own;
        }

        return groups;
    }
}
