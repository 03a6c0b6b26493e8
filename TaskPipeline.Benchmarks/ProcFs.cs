using System.Globalization;
using System.Runtime.InteropServices;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// What Linux says about a process in /proc: CPU time (<c>stat</c>: utime, stime, and cutime + cstime of the children
/// it reaped) and peak resident memory (<c>status</c>: VmHWM). Nothing here asks the process itself, so measuring costs
/// the measured processes nothing.
/// </summary>
public static partial class ProcFs
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK

    private static readonly Lazy<long> ClockTicksPerSecond = new(() =>
    {
        var ticks = sysconf(ClockTicksName);
        return ticks > 0 ? ticks : 100;
    });

    public static bool IsAvailable => File.Exists("/proc/self/stat");

    /// <summary>The process's CPU time so far, or null when it no longer exists.</summary>
    public static ProcessCpu? ReadCpu(int pid)
    {
        var fields = ReadStatFields(pid);
        if (fields is null)
        {
            return null;
        }

        // Fields after the command, counted from state = 0 (field 3 in proc(5)): ppid 1, utime 11, stime 12, cutime 13, cstime 14.
        var own = Ticks(fields[11]) + Ticks(fields[12]);
        var reaped = Ticks(fields[13]) + Ticks(fields[14]);
        return new ProcessCpu(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), ToTimeSpan(own), ToTimeSpan(reaped));
    }

    /// <summary>Whether the process exists and is not a zombie waiting for its parent to reap it.</summary>
    public static bool IsAlive(int pid) => ReadStatFields(pid) is { } fields && fields[0] != "Z";

    /// <summary>The highest resident set size the process has had (VmHWM) in bytes, or null when it no longer exists.</summary>
    public static long? ReadPeakRss(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                // "VmHWM:	  123456 kB"
                var value = line["VmHWM:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(value, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>The live processes whose parent is <paramref name="parent"/> (PostgreSQL's backends and workers).</summary>
    public static List<ProcessCpu> ReadChildren(int parent) => [.. ReadAll().Values.Where(cpu => cpu.ParentPid == parent)];

    /// <summary>Every live process's CPU time, by pid: one pass over /proc.</summary>
    public static Dictionary<int, ProcessCpu> ReadAll()
    {
        var all = new Dictionary<int, ProcessCpu>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadCpu(pid) is { } cpu)
            {
                all[pid] = cpu;
            }
        }

        return all;
    }

    /// <summary>
    /// <paramref name="root"/> and every live process under it, parents first (a project replica is a <c>dotnet run</c>
    /// wrapper with the service as its child; PostgreSQL is the postmaster with its backends and workers).
    /// </summary>
    public static List<ProcessCpu> ReadTree(int root, IReadOnlyDictionary<int, ProcessCpu> all)
    {
        var tree = new List<ProcessCpu>();
        if (!all.TryGetValue(root, out var first))
        {
            return tree;
        }

        var children = all.Values.ToLookup(cpu => cpu.ParentPid);
        tree.Add(first);
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(children[tree[i].Pid]);
        }

        return tree;
    }

    /// <summary>The process's command line (arguments split at NULs), or empty when it no longer exists.</summary>
    public static IReadOnlyList<string> ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string[]? ReadStatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": the command may hold spaces and parentheses, so split after its last ')'.
        var end = text.LastIndexOf(')');
        return end < 0 ? null : text[(end + 2)..].Split(' ');
    }

    private static long Ticks(string field) => long.Parse(field, CultureInfo.InvariantCulture);

    private static TimeSpan ToTimeSpan(long ticks) => TimeSpan.FromSeconds((double)ticks / ClockTicksPerSecond.Value);

    [LibraryImport("libc")]
    private static partial long sysconf(int name);
}
