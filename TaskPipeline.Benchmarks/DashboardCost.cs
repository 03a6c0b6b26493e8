namespace TaskPipeline.Benchmarks;

/// <summary>
/// What an open task dashboard tab costs PostgreSQL: the overview page's requests at its cadence (/api/stats and
/// /api/pipeline together every 2 s, with the notification stream open) for <see cref="Seconds"/>, beside the same time
/// with no tab. Shares are of one core: PostgreSQL's CPU time (every process of the server, /proc) ÷ wall time × 100.
/// </summary>
/// <param name="IdlePercentOfCore">The same length of time just before, no tab: the Producer's own polls, autovacuum.</param>
/// <param name="TabPercentOfCore">During the window with the tab's requests.</param>
/// <param name="CostPercentOfCore">The tab's own cost: the difference (what the target is about).</param>
/// <param name="MeetsTarget">The tab's own cost ≤ 1 % of a core.</param>
internal sealed record DashboardCost(
    double Seconds,
    int Refreshes,
    double RefreshP50Ms,
    double RefreshP99Ms,
    double IdlePercentOfCore,
    double TabPercentOfCore,
    double CostPercentOfCore,
    bool MeetsTarget);
