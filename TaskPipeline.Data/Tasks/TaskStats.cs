using System.ComponentModel;

namespace TaskPipeline.Data.Tasks;

/// <summary><c>GET /api/stats</c>: the whole table, counted in one statement.</summary>
public sealed record TaskStats(
    [property: Description("Tasks in each state.")]
    StateCounts States,
    [property: Description("All tasks.")]
    long Total,
    [property: Description("Per type 0 to 9: how many tasks are done and the sum of their values (the Consumers' done and value_sum metrics).")]
    IReadOnlyList<TypeStats> DoneByType);
