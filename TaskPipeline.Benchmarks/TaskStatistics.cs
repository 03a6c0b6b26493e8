using Npgsql;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// What the database records about a finished run, computed by PostgreSQL over every task: counts, first created to
/// last done, and latency percentiles (done_at − created_at, both stored per task at microsecond precision).
/// </summary>
internal sealed record TaskStatistics(
    long Total,
    long Done,
    double Seconds,
    LatencyFigures Latency,
    LatencyFigures LatencyBeyondDelay)
{
    public double TasksPerSecond => Seconds > 0 ? Done / Seconds : 0;

    /// <param name="table">tasks, or the ceiling's table: a constant, never user input.</param>
    /// <param name="delayPerValue">Subtracted per task (value × it) for <see cref="LatencyBeyondDelay"/>.</param>
    /// <param name="skip">The first tasks (by creation) left out: a warm-up.</param>
    public static async Task<TaskStatistics> ReadAsync(
        NpgsqlDataSource dataSource, string table, TimeSpan delayPerValue, long skip, CancellationToken cancellationToken)
    {
        var sql = $"""
            WITH measured AS (
                SELECT state, value, created_at, done_at FROM {table} ORDER BY created_at, id OFFSET $2),
            finished AS (
                SELECT (extract(epoch FROM done_at - created_at) * 1000)::float8 AS latency,
                       (extract(epoch FROM done_at - created_at) * 1000)::float8 - value * $1 AS beyond
                FROM measured WHERE state = 'done')
            SELECT (SELECT count(*) FROM measured),
                   (SELECT count(*) FROM finished),
                   (SELECT extract(epoch FROM max(done_at) - min(created_at))::float8 FROM measured WHERE state = 'done'),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency),
                   max(latency),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY beyond),
                   max(beyond)
            FROM finished
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = delayPerValue.TotalMilliseconds });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = skip });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var done = reader.GetInt64(1);
        return new TaskStatistics(
            reader.GetInt64(0),
            done,
            done == 0 ? 0 : reader.GetDouble(2),
            Figures(reader, 3, 4),
            Figures(reader, 5, 6));
    }

    private static LatencyFigures Figures(NpgsqlDataReader reader, int percentiles, int max)
    {
        if (reader.IsDBNull(max))
        {
            return new LatencyFigures(0, 0, 0, 0);
        }

        var values = reader.GetFieldValue<double[]>(percentiles);
        return new LatencyFigures(Round(values[0]), Round(values[1]), Round(values[2]), Round(reader.GetDouble(max)));
    }

    private static double Round(double milliseconds) => Math.Round(milliseconds, 2);
}
