namespace TaskPipeline.Benchmarks;

/// <summary>
/// One API read timed over HTTP, as the client sees it (request sent to body read): <see cref="Samples"/> calls after
/// the warm-up, nearest-rank percentiles in milliseconds, and the rows its answer held.
/// </summary>
/// <param name="Name">What is read, e.g. <c>tasks?state=done page 5</c>.</param>
/// <param name="Path">The request, e.g. <c>GET /api/tasks?state=done</c> (the cursor of a later page is left out).</param>
/// <param name="Page">1 for a first page; the page reached by following <c>next</c> otherwise; 0 when not a list.</param>
/// <param name="Rows">Items in the (last) answer; the requeued count for retry-many; null for stats and pipeline.</param>
/// <param name="MeetsTarget">p99 ≤ the target (50 ms).</param>
internal sealed record ReadFigures(
    string Name,
    string Path,
    int Page,
    int Samples,
    long? Rows,
    double P50,
    double P99,
    double Max,
    bool MeetsTarget);
