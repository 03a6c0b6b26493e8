namespace TaskPipeline.Benchmarks;

/// <summary>
/// One sample of a soak run, about every 10 s. Throughput counts terminal transitions (the <c>task_event_seq</c>
/// numbers issued in the window), so rows that retention deleted still count. The row count is PostgreSQL's live-tuple
/// statistic at every sample (cheap, approximate), and an exact <c>count(*)</c> once a minute (null in between): a scan
/// of the whole table every 10 s would be load of its own.
/// </summary>
/// <param name="Seconds">Since the Producer started.</param>
/// <param name="TasksPerSecond">Tasks ended per second since the previous sample.</param>
/// <param name="RowsEstimate">pg_stat_user_tables.n_live_tup.</param>
/// <param name="RowsExact">count(*), once a minute; null otherwise.</param>
/// <param name="TableMb">pg_total_relation_size('tasks'): heap, indexes, TOAST.</param>
/// <param name="ReadP99Ms">Per read (stats, failed, pipeline): the slowest of the calls made in the window (about 10 calls each: their p99 is their max).</param>
internal sealed record SoakSample(
    double Seconds,
    double TasksPerSecond,
    long RowsEstimate,
    long? RowsExact,
    double TableMb,
    IReadOnlyDictionary<string, double> ReadP99Ms);
