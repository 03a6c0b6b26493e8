using System.Diagnostics;
using System.Runtime;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>Reads the runtime's counters (GC, thread pool, allocation rate, exceptions) for the profiling endpoint.</summary>
internal sealed class RuntimeCounters : IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly Lock _gate = new();
    private long _exceptions;
    private long _lastAllocated;
    private long _lastReadAt;

    public RuntimeCounters(TimeProvider time)
    {
        _time = time;
        _startedAt = _lastReadAt = time.GetTimestamp();
        _lastAllocated = GC.GetTotalAllocatedBytes();
        AppDomain.CurrentDomain.FirstChanceException += CountException;
    }

    public RuntimeCountersSnapshot Read()
    {
        var now = _time.GetTimestamp();
        var allocated = GC.GetTotalAllocatedBytes();
        double rate;
        lock (_gate)
        {
            var seconds = _time.GetElapsedTime(_lastReadAt, now).TotalSeconds;
            rate = seconds > 0 ? (allocated - _lastAllocated) / seconds : 0;
            _lastAllocated = allocated;
            _lastReadAt = now;
        }

        var memory = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        return new RuntimeCountersSnapshot(
            Timestamp: _time.GetUtcNow(),
            UptimeSeconds: _time.GetElapsedTime(_startedAt, now).TotalSeconds,
            Process: new ProcessCounters(
                CpuTimeMs: process.TotalProcessorTime.TotalMilliseconds,
                WorkingSetBytes: Environment.WorkingSet,
                PeakWorkingSetBytes: process.PeakWorkingSet64,
                ProcessorCount: Environment.ProcessorCount),
            Gc: new GcCounters(
                HeapSizeBytes: memory.HeapSizeBytes,
                FragmentedBytes: memory.FragmentedBytes,
                CommittedBytes: memory.TotalCommittedBytes,
                TotalAllocatedBytes: allocated,
                AllocationRateBytesPerSecond: rate,
                Gen0Collections: GC.CollectionCount(0),
                Gen1Collections: GC.CollectionCount(1),
                Gen2Collections: GC.CollectionCount(2),
                PauseTimePercentage: memory.PauseTimePercentage,
                TotalPauseMs: GC.GetTotalPauseDuration().TotalMilliseconds,
                IsServerGc: GCSettings.IsServerGC),
            ThreadPool: new ThreadPoolCounters(
                ThreadCount: ThreadPool.ThreadCount,
                QueueLength: ThreadPool.PendingWorkItemCount,
                CompletedWorkItems: ThreadPool.CompletedWorkItemCount),
            Exceptions: Interlocked.Read(ref _exceptions),
            LockContentions: Monitor.LockContentionCount,
            JitCompiledMethods: System.Runtime.JitInfo.GetCompiledMethodCount());
    }

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= CountException;

    private void CountException(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e) =>
        Interlocked.Increment(ref _exceptions);
}
