using System.ComponentModel;

namespace TaskPipeline.Data.Tasks;

/// <summary><c>GET /api/stats</c>: from the counters the tasks table's triggers keep, so its cost does not grow with the table.</summary>
public sealed record TaskStats(
    [property: Description("Tasks in each state now (finished tasks deleted by retention are no longer counted here).")]
    StateCounts States,
    [property: Description("All tasks in the table now.")]
    long Total,
    [property: Description("Per type 0 to 9: how many tasks were ever done and the sum of their values, including tasks since deleted by retention (the Consumers' done and value_sum metrics).")]
    IReadOnlyList<TypeStats> DoneByType,
    [property: Description("Finished tasks deleted by retention (or by hand), per the state they were in.")]
    StateCounts Removed);
