using System.Diagnostics;
using Npgsql;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The scheduled workload: --tasks delayed tasks (100,000 by default) stored as scheduled with due times spread evenly
/// over --seconds (60), the first <see cref="Lead"/> ahead, on the app as a user gets it (default settings; the Producer
/// generates one task). A statement trigger records when each one was claimed (its move to processing), so the report
/// gives due-to-processing latency over every task, and the CPU each process spent per task from the first due time
/// to the last claim.
/// </summary>
internal sealed class ScheduledBenchmark(BenchmarkRunner runner, BenchmarkOptions options)
{
    public const long DefaultTasks = 100_000;

    /// <summary>
    /// How far ahead of the insert the first task is due: more than the scheduler's longest sleep (10 s), since tasks
    /// stored straight into the table (not through this Producer's API) wake it only when it next looks.
    /// </summary>
    public static readonly TimeSpan Lead = TimeSpan.FromSeconds(15);

    // Benchmark-only instrumentation: created in the benchmark's own database, never by the app's migrations.
    private const string RecordClaimsSql = """
        CREATE TABLE bench_claims (id uuid PRIMARY KEY, claimed_at timestamptz NOT NULL);
        CREATE FUNCTION bench_record_claims() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO bench_claims SELECT id, clock_timestamp() FROM claimed WHERE state = 'processing' AND run_at IS NOT NULL
            ON CONFLICT (id) DO NOTHING;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER bench_record_claims AFTER UPDATE ON tasks REFERENCING NEW TABLE AS claimed
            FOR EACH STATEMENT EXECUTE FUNCTION bench_record_claims();
        """;

    // One statement: the count triggers run once. Evenly spread: task g is due at first + g × spread / tasks.
    private const string ScheduleSql = """
        INSERT INTO tasks (id, type, value, state, run_at)
        SELECT gen_random_uuid(), g % 10, g % 100, 'scheduled', $1 + g * ($2 / $3) * interval '1 second'
        FROM generate_series(0, $3::bigint - 1) AS g
        """;

    private const string LatencySql = """
        WITH late AS (
            SELECT (extract(epoch FROM c.claimed_at - t.run_at) * 1000)::float8 AS ms FROM bench_claims AS c JOIN tasks AS t USING (id))
        SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99, 0.999]) WITHIN GROUP (ORDER BY ms), max(ms), count(*) FILTER (WHERE ms < 0)
        FROM late
        """;

    private TextWriter Progress => options.Progress;

    public async Task<ScheduledReport> RunAsync(CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var load = BuildInfo.LoadAverage();
        const string label = "[scheduled]";
        var tasks = options.Tasks ?? DefaultTasks;
        var spread = options.Seconds;
        var run = new BenchmarkRunner.BenchmarkRun("scheduled", BenchmarkWorkload.Scheduled, options.Consumers, tasks);
        var arguments = runner.UserAppArguments();
        await Progress.WriteLineAsync($"{label} starting PostgreSQL and the consumers through Aspire ({arguments.StateDirectory})");
        try
        {
            await using var app = await runner.StartAppAsync(arguments, options.Consumers, cancellationToken);
            await using var dataSource = BenchmarkRunner.OpenDataSource(app.ConnectionString);
            var synchronousCommit = await runner.ConfigureCommitAsync(dataSource, cancellationToken);
            await BenchmarkRunner.StartProducerAndAwaitItsTaskAsync(app, dataSource, cancellationToken);

            await BenchmarkRunner.ExecuteAsync(dataSource, RecordClaimsSql, cancellationToken);
            var first = await FirstDueAsync(dataSource, cancellationToken);
            await using (var schedule = dataSource.CreateCommand(ScheduleSql))
            {
                schedule.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = first.UtcDateTime });
                schedule.Parameters.Add(new NpgsqlParameter<double> { TypedValue = spread });
                schedule.Parameters.Add(new NpgsqlParameter<long> { TypedValue = tasks });
                await schedule.ExecuteNonQueryAsync(cancellationToken);
            }

            await Progress.WriteLineAsync($"{label} {tasks:N0} tasks scheduled, due from {first:HH:mm:ss} over {spread:0} s ({tasks / spread:N0} due/s)");
            await WaitForDatabaseTimeAsync(dataSource, first, cancellationToken);
            var start = HostCpu.Sample(app);
            var measured = Stopwatch.GetTimestamp();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(spread) + (options.Timeout ?? TimeSpan.FromMinutes(2));
            long claimed;
            while ((claimed = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT count(*) FROM bench_claims", cancellationToken)) < tasks)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new BenchmarkException($"only {claimed:N0} of {tasks:N0} scheduled tasks were claimed within {spread:0} s and --timeout", app.Tails());
                }

                await Task.Delay(200, cancellationToken);
            }

            var end = HostCpu.Sample(app);
            var seconds = Stopwatch.GetElapsedTime(measured).TotalSeconds;
            var (latency, early) = await LatencyAsync(dataSource, cancellationToken);
            double PerTask(string group) => Math.Round((end.GetValueOrDefault(group) - start.GetValueOrDefault(group)).TotalMicroseconds / tasks, 1);
            var cpu = new Dictionary<string, double>
            {
                [BenchmarkApp.ProducerResource] = PerTask(BenchmarkApp.ProducerResource),
                [BenchmarkApp.ConsumerResource] = PerTask(BenchmarkApp.ConsumerResource),
                [BenchmarkApp.PostgresResource] = PerTask(BenchmarkApp.PostgresResource),
            };
            await Progress.WriteLineAsync(
                $"{label} due to processing p50 {latency.P50} ms, p99 {latency.P99} ms, p99.9 {latency.P999} ms, max {latency.Max} ms; {early} early;"
                + $" CPU µs per task producer {cpu[BenchmarkApp.ProducerResource]}, consumer {cpu[BenchmarkApp.ConsumerResource]}, postgres {cpu[BenchmarkApp.PostgresResource]} ({seconds:0.0} s measured)");
            var settings = BenchmarkRunner.Settings(run, app, arguments, synchronousCommit, await BenchmarkRunner.ServerVersionAsync(dataSource, cancellationToken), date, load, false, runner.Warnings(load))
                with { Telemetry = options.Telemetry };
            await Progress.WriteLineAsync($"{label} stopping");
            return new ScheduledReport
            {
                Workload = "scheduled",
                Tasks = tasks,
                SpreadSeconds = spread,
                DuePerSecond = Math.Round(tasks / spread, 1),
                DueToProcessingMs = latency,
                ClaimedEarly = early,
                CpuMicrosecondsPerTask = cpu,
                Settings = settings,
            };
        }
        finally
        {
            runner.DeleteStateDirectory(arguments.StateDirectory);
        }
    }

    private static async Task<DateTimeOffset> FirstDueAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT now() + $1");
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Lead, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval });
        return (DateTimeOffset)(DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Waits until the database's clock (the one due times are compared with) reaches <paramref name="moment"/>.</summary>
    private static async Task WaitForDatabaseTimeAsync(NpgsqlDataSource dataSource, DateTimeOffset moment, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT extract(epoch FROM $1 - clock_timestamp())::float8");
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = moment.UtcDateTime });
        var seconds = (double)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (seconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
    }

    private static async Task<(LatencyFigures Latency, long Early)> LatencyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(LatencySql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var values = reader.GetFieldValue<double[]>(0);
        return (new LatencyFigures(Math.Round(values[0], 2), Math.Round(values[1], 2), Math.Round(values[2], 2), Math.Round(values[3], 2), Math.Round(reader.GetDouble(1), 2)), reader.GetInt64(2));
    }
}
