using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>
/// A managed heap snapshot taken the way <c>dotnet-gcdump collect</c> takes one: a short sample-profiler session
/// flushes the runtime's type table, then a session with the runtime's GC heap snapshot keywords makes it run a
/// blocking gen-2 collection that walks the heap and emits every object, edge, root and type as events, and the session
/// ends once that collection has. The events are kept as the runtime wrote them (<c>.nettrace</c>), which
/// <c>dotnet-gcdump convert</c> turns into a <c>.gcdump</c> for <c>dotnet-gcdump report</c>, Visual Studio or PerfView,
/// and read once on the way to count objects and bytes per type.
/// </summary>
internal sealed class HeapSnapshot
{
    private const int BufferSizeMb = 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<ulong, string> _typeNames = [];
    private readonly Dictionary<ulong, (long Count, long Bytes)> _byType = [];
    private int _gcNumber = -1;
    private volatile bool _complete;

    private HeapSnapshot()
    {
    }

    /// <summary>Writes the heap snapshot's events to <paramref name="path"/> and returns what they hold, by type.</summary>
    public static async Task<HeapReport> CollectAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        var processId = Environment.ProcessId;
        var client = new DiagnosticsClient(processId);
        await FlushTypeTableAsync(client, cancellationToken);

        var snapshot = new HeapSnapshot();
        var provider = new EventPipeProvider(CpuProfiler.RuntimeProvider, EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GCHeapSnapshot);
        using var session = await client.StartEventPipeSessionAsync(provider, requestRundown: true, BufferSizeMb, cancellationToken);
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reading = Task.Factory.StartNew(
                () => snapshot.Read(session.EventStream, file, processId, completed),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            try
            {
                await Task.WhenAny(completed.Task, reading).WaitAsync(Timeout, time, cancellationToken);
            }
            finally
            {
                await session.StopAsync(CancellationToken.None);
                await reading;
            }
        }

        if (!snapshot._complete)
        {
            throw new InvalidOperationException("the runtime did not complete the heap-walking collection; the snapshot is incomplete");
        }

        return snapshot.Report(time.GetUtcNow(), processId);
    }

    /// <summary>Types seen before are not described again unless the runtime's type table is flushed by a new session.</summary>
    private static async Task FlushTypeTableAsync(DiagnosticsClient client, CancellationToken cancellationToken)
    {
        var provider = new EventPipeProvider(CpuProfiler.SampleProfilerProvider, EventLevel.Informational);
        using var session = await client.StartEventPipeSessionAsync(provider, requestRundown: false, 64, cancellationToken);
        var firstEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Factory.StartNew(
            () =>
            {
                using var source = new EventPipeEventSource(session.EventStream);
                source.AllEvents += _ => firstEvent.TrySetResult();
                source.Process();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await Task.WhenAny(firstEvent.Task, Task.Delay(FlushTimeout, cancellationToken));
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await reading;
        }
    }

    private void Read(Stream events, Stream copy, int processId, TaskCompletionSource completed)
    {
        using var tee = new TeeStream(events, copy);
        using var source = new EventPipeEventSource(tee);
        source.Clr.GCStart += data =>
        {
            if (data.ProcessID == processId && _gcNumber < 0 && data.Depth == 2 && data.Type != GCType.BackgroundGC)
            {
                _gcNumber = data.Count;
            }
        };
        source.Clr.GCStop += data =>
        {
            if (data.ProcessID == processId && data.Count == _gcNumber)
            {
                _complete = true;
                completed.TrySetResult();
            }
        };
        source.Clr.TypeBulkType += OnBulkType;
        source.Clr.GCBulkNode += OnBulkNode;
        source.Process();
    }

    private void OnBulkType(GCBulkTypeTraceData data)
    {
        for (var i = 0; i < data.Count; i++)
        {
            var type = data.Values(i);
            _typeNames[type.TypeID] = type.TypeName;
        }
    }

    private void OnBulkNode(GCBulkNodeTraceData data)
    {
        // Only the objects of the heap walk this snapshot asked for.
        if (_gcNumber < 0 || _complete)
        {
            return;
        }

        for (var i = 0; i < data.Count; i++)
        {
            var node = data.Values(i);
            var (count, bytes) = _byType.GetValueOrDefault(node.TypeID);
            _byType[node.TypeID] = (count + 1, bytes + (long)node.Size);
        }
    }

    private HeapReport Report(DateTimeOffset timestamp, int processId)
    {
        var types = _byType
            .GroupBy(entry => _typeNames.TryGetValue(entry.Key, out var name) && name.Length > 0 ? name : $"<type 0x{entry.Key:x}>")
            .Select(group => new HeapTypeStatistics(group.Key, group.Sum(entry => entry.Value.Count), group.Sum(entry => entry.Value.Bytes)))
            .OrderByDescending(type => type.Bytes)
            .ThenBy(type => type.Type, StringComparer.Ordinal)
            .ToList();
        return new HeapReport(timestamp, processId, _gcNumber, types.Sum(type => type.Count), types.Sum(type => type.Bytes), types);
    }
}
