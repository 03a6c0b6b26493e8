namespace TaskPipeline.ServiceDefaults.Profiling;

internal sealed record RuntimeCountersSnapshot(
    DateTimeOffset Timestamp,
    double UptimeSeconds,
    ProcessCounters Process,
    GcCounters Gc,
    ThreadPoolCounters ThreadPool,
    long Exceptions,
    long LockContentions,
    long JitCompiledMethods);

internal sealed record ProcessCounters(double CpuTimeMs, long WorkingSetBytes, long PeakWorkingSetBytes, int ProcessorCount);

internal sealed record GcCounters(
    long HeapSizeBytes,
    long FragmentedBytes,
    long CommittedBytes,
    long TotalAllocatedBytes,
    double AllocationRateBytesPerSecond,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double PauseTimePercentage,
    double TotalPauseMs,
    bool IsServerGc);

internal sealed record ThreadPoolCounters(int ThreadCount, long QueueLength, long CompletedWorkItems);
