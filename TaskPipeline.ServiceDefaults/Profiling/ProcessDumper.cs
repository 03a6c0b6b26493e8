using Microsoft.Diagnostics.NETCore.Client;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>
/// A dump of the service's own process, written by the runtime's createdump as <c>dotnet-dump collect</c> writes one
/// (an ELF core file on Linux, for <c>dotnet-dump analyze</c>).
/// </summary>
internal static class ProcessDumper
{
    /// <summary>The <c>type</c> values: full memory, the managed heap, a minimal dump, or a triage dump (no user data).</summary>
    public static readonly IReadOnlyDictionary<string, DumpType> Types = new Dictionary<string, DumpType>(StringComparer.OrdinalIgnoreCase)
    {
        ["full"] = DumpType.Full,
        ["heap"] = DumpType.WithHeap,
        ["mini"] = DumpType.Normal,
        ["triage"] = DumpType.Triage,
    };

    public static Task WriteAsync(DumpType type, string path, CancellationToken cancellationToken) =>
        new DiagnosticsClient(Environment.ProcessId).WriteDumpAsync(type, path, logDumpGeneration: false, cancellationToken);
}
