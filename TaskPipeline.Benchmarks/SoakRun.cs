namespace TaskPipeline.Benchmarks;

/// <summary>One run of the soak workload (with retention, or the reference without): its timeline and audit.</summary>
/// <param name="Retention">Producer Retention:Done as given ("00:01:00"), or null for the reference run.</param>
/// <param name="TasksPerSecond">Tasks ended ÷ seconds over the whole run (the audit's Ended ÷ Seconds).</param>
/// <param name="ReadMs">Per read, over the whole run: p50, p99 and max of every call.</param>
internal sealed record SoakRun(
    string? Retention,
    double Seconds,
    double TasksPerSecond,
    IReadOnlyList<SoakSample> Samples,
    IReadOnlyDictionary<string, ReadFigures> ReadMs,
    SoakAudit Audit);
