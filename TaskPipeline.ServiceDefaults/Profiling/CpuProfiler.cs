using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Symbols;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Stacks;
using Microsoft.Diagnostics.Tracing.Stacks.Formats;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>
/// CPU sampling of the service's own process, as <c>dotnet-trace collect --profile cpu-sampling</c> does it: an
/// EventPipe session (through the runtime's diagnostic port) with the sample profiler and the runtime's default
/// events, whose rundown names every JIT-compiled method. The result is the runtime's own <c>.nettrace</c> file;
/// <see cref="ConvertToSpeedscope"/> turns it into speedscope JSON with TraceEvent, as <c>dotnet-trace convert</c> does.
/// </summary>
internal sealed class CpuProfiler
{
    public const string SampleProfilerProvider = "Microsoft-DotNETCore-SampleProfiler";
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    private const int BufferSizeMb = 256;

    /// <summary>Samples every thread of this process for <paramref name="duration"/> into a new .nettrace file.</summary>
    public static async Task CollectAsync(string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        EventPipeProvider[] providers =
        [
            new(SampleProfilerProvider, EventLevel.Informational),
            new(RuntimeProvider, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.Default),
        ];
        var client = new DiagnosticsClient(Environment.ProcessId);
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: true, BufferSizeMb, cancellationToken);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        // The stream must be read while the session runs, or the runtime's buffers fill and samples are dropped.
        var copying = session.EventStream.CopyToAsync(file, CancellationToken.None);
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            // Stopping makes the runtime write the rundown (method names) and end the stream.
            await session.StopAsync(CancellationToken.None);
            await copying;
        }
    }

    /// <summary>
    /// The .nettrace's samples as thread-time stacks in speedscope's JSON format (open at https://www.speedscope.app).
    /// Managed frames are named from the rundown, so no symbol server is asked.
    /// </summary>
    public static void ConvertToSpeedscope(string nettracePath, string speedscopePath)
    {
        var etlxPath = Path.ChangeExtension(nettracePath, ".etlx");
        try
        {
            TraceLog.CreateFromEventPipeDataFile(nettracePath, etlxPath);
            using var symbols = new SymbolReader(TextWriter.Null) { SymbolPath = string.Empty };
            using var log = new TraceLog(etlxPath);
            var stacks = new MutableTraceEventStackSource(log) { OnlyManagedCodeStacks = true };
            var computer = new SampleProfilerThreadTimeComputer(log, symbols) { IncludeEventSourceEvents = false };
            computer.GenerateThreadTimeStacks(stacks);
            SpeedScopeStackSourceWriter.WriteStackViewAsJson(stacks, speedscopePath);
        }
        finally
        {
            ProfileFiles.Delete(etlxPath);
        }
    }
}
