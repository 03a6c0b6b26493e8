namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>What a heap snapshot found, by type, largest first (what <c>dotnet-gcdump report</c> prints).</summary>
internal sealed record HeapReport(
    DateTimeOffset Timestamp,
    int ProcessId,
    int GcNumber,
    long Objects,
    long Bytes,
    IReadOnlyList<HeapTypeStatistics> Types);

internal sealed record HeapTypeStatistics(string Type, long Count, long Bytes);
