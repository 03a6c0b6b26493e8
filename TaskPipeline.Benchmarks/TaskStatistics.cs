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
    LatencyFigures LatencyBeyondDelay,
    double[] LatencyCdf,
    double[] LatencyBeyondDelayCdf,
    Timeline Timeline)
{
    /// <summary>Points of each CDF: the latency at every whole percentile, 0 (fastest) to 100 (slowest).</summary>
    public const int CdfPoints = 101;

    /// <summary>About this many points make a timeline: a run's length picks the bucket width.</summary>
    private const int TimelinePoints = 100;

    private static readonly double[] BucketWidths = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60];

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
                   percentile_cont(ARRAY[0.5, 0.95, 0.99, 0.999]) WITHIN GROUP (ORDER BY latency),
                   max(latency),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99, 0.999]) WITHIN GROUP (ORDER BY beyond),
                   max(beyond),
                   percentile_cont((SELECT array_agg(p / 100.0) FROM generate_series(0, 100) p)) WITHIN GROUP (ORDER BY latency),
                   percentile_cont((SELECT array_agg(p / 100.0) FROM generate_series(0, 100) p)) WITHIN GROUP (ORDER BY beyond)
            FROM finished
            """;
        long total, done;
        double seconds;
        LatencyFigures latency, beyond;
        double[] latencyCdf, beyondCdf;
        await using (var command = dataSource.CreateCommand(sql))
        {
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = delayPerValue.TotalMilliseconds });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = skip });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            total = reader.GetInt64(0);
            done = reader.GetInt64(1);
            seconds = done == 0 ? 0 : reader.GetDouble(2);
            latency = Figures(reader, 3, 4);
            beyond = Figures(reader, 5, 6);
            latencyCdf = Cdf(reader, 7);
            beyondCdf = Cdf(reader, 8);
        }

        var timeline = await ReadTimelineAsync(dataSource, table, skip, seconds, cancellationToken);
        return new TaskStatistics(total, done, seconds, latency, beyond, latencyCdf, beyondCdf, timeline);
    }

    private static async Task<Timeline> ReadTimelineAsync(
        NpgsqlDataSource dataSource, string table, long skip, double seconds, CancellationToken cancellationToken)
    {
        var bucket = Array.Find(BucketWidths, width => width >= seconds / TimelinePoints) is > 0 and var width ? width : Math.Ceiling(seconds / TimelinePoints / 60) * 60;
        var counts = new double[(int)Math.Ceiling(seconds / bucket) + 1];
        var sql = $"""
            WITH measured AS (
                SELECT state, created_at, done_at FROM {table} ORDER BY created_at, id OFFSET $2),
            origin AS (SELECT min(created_at) AS t0 FROM measured)
            SELECT floor(extract(epoch FROM done_at - t0) / $1)::int, count(*)
            FROM measured, origin WHERE state = 'done'
            GROUP BY 1
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = bucket });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = skip });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var index = reader.GetInt32(0);
            if (index >= 0 && index < counts.Length)
            {
                counts[index] = Math.Round(reader.GetInt64(1) / bucket, 1);
            }
        }

        return new Timeline(bucket, counts);
    }

    private static double[] Cdf(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : [.. reader.GetFieldValue<double[]>(ordinal).Select(Round)];

    private static LatencyFigures Figures(NpgsqlDataReader reader, int percentiles, int max)
    {
        if (reader.IsDBNull(max))
        {
            return new LatencyFigures(0, 0, 0, 0, 0);
        }

        var values = reader.GetFieldValue<double[]>(percentiles);
        return new LatencyFigures(Round(values[0]), Round(values[1]), Round(values[2]), Round(values[3]), Round(reader.GetDouble(max)));
    }

    private static double Round(double milliseconds) => Math.Round(milliseconds, 2);
}
