using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The soak workload: the pipeline at the highest rate it sustains (max's settings: no simulated work; unpaced, or
/// paced with --rate) for a long time with the Producer's retention on (Retention:Done), sampled every ~10 s: throughput, the
/// table's rows and size, and three API reads timed once a second. Then the same without retention (the reference, on
/// a fresh app, usually shorter) for the throughput ratio. Each run ends by stopping the Producer and auditing that
/// every task ended exactly once.
/// </summary>
internal sealed class SoakBenchmark(BenchmarkRunner runner, BenchmarkOptions options)
{
    public const double FlatTolerance = 0.10;
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ReadInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxExactCountInterval = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxSettle = TimeSpan.FromMinutes(3);

    /// <summary>The reads a dashboard user makes most during a run: counts, the dead letter, the pipeline.</summary>
    private static readonly (string Name, string Path)[] Reads =
        [("stats", "/api/stats"), ("tasks?state=failed", "/api/tasks?state=failed"), ("pipeline", "/api/pipeline")];

    private TextWriter Progress => options.Progress;

    private bool IsMax => options.SoakRate is null;

    public async Task<SoakReport> RunAsync(CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var load = BuildInfo.LoadAverage();
        var retention = options.SoakRetention.ToString("c", CultureInfo.InvariantCulture);
        var (run, settings) = await RunOnceAsync(retention, options.SoakDuration, date, load, cancellationToken);
        var referenceDuration = options.ReferenceDuration ?? options.SoakDuration;
        SoakRun? reference = null;
        if (referenceDuration > TimeSpan.Zero)
        {
            (reference, _) = await RunOnceAsync(null, referenceDuration, date, load, cancellationToken);
        }

        var settle = (options.SoakSettle ?? TimeSpan.FromTicks(Math.Min(MaxSettle.Ticks, options.SoakDuration.Ticks / 3))).TotalSeconds;
        var settled = run.Samples.Where(sample => sample.Seconds >= settle).ToList();
        var rowsSpread = Spread(settled.Where(sample => sample.RowsExact is not null).Select(sample => (double)sample.RowsExact!.Value).ToList());
        var sizeSpread = Spread(settled.Select(sample => sample.TableMb).ToList());
        var report = new SoakReport
        {
            Workload = "soak",
            Run = run,
            Reference = reference,
            ThroughputRatio = reference is { TasksPerSecond: > 0 } ? Math.Round(run.TasksPerSecond / reference.TasksPerSecond, 3) : null,
            SettleSeconds = settle,
            RowsSpread = rowsSpread,
            SizeSpread = sizeSpread,
            Flat = rowsSpread is <= FlatTolerance && sizeSpread is <= FlatTolerance,
            Settings = settings,
        };
        await Progress.WriteLineAsync(
            $"[soak] {run.TasksPerSecond:N0} tasks/s with retention{(reference is null ? string.Empty : $", {reference.TasksPerSecond:N0} without (ratio {report.ThroughputRatio:0.00})")};"
            + $" after {settle:0} s rows spread {Format(rowsSpread)}, size spread {Format(sizeSpread)}: {(report.Flat ? "flat ✔" : "not flat ✘")}");
        return report;
    }

    private static string Format(double? spread) => spread is { } value ? value.ToString("P1", CultureInfo.InvariantCulture) : "–";

    /// <summary>(max − min) ÷ min; null with fewer than two values.</summary>
    private static double? Spread(List<double> values) =>
        values.Count < 2 || values.Min() <= 0 ? null : Math.Round((values.Max() - values.Min()) / values.Min(), 4);

    private async Task<(SoakRun Run, BenchmarkSettingsReport Settings)> RunOnceAsync(
        string? retention, TimeSpan duration, DateTimeOffset date, double load, CancellationToken cancellationToken)
    {
        var label = retention is null ? "[soak reference, no retention]" : $"[soak, Retention:Done {retention}]";
        var (key, hash) = BenchmarkApi.NewKey();
        var arguments = new AppHostArguments(runner.NewStateDirectory(), options.Consumers)
            .Set(BenchmarkApp.ProducerResource, "Producer:Rate", IsMax ? "0" : BenchmarkRunner.Invariant(options.SoakRate!.Value))
            .Set(BenchmarkApp.ConsumerResource, BenchmarkRunner.PerTaskLogCategory, "Warning")
            // max's service settings at any rate: with the default simulated work (value × DelayPerValue) the Consumers'
            // concurrency caps a soak near 2,000 tasks/s whatever --rate asks for. --set overrides them.
            .Set(BenchmarkApp.ProducerResource, "Producer:MaxBacklog", BenchmarkRunner.Invariant(BenchmarkRunner.MaxWorkloadBacklog))
            .Set(BenchmarkApp.ConsumerResource, "Consumer:DelayPerValue", "00:00:00");

        if (retention is not null)
        {
            // The soak compresses a day's retention into a minute, so it compresses the job's interval too: the
            // default 10 s against 24 h moves the row count by a hundredth of a percent, against 60 s by a sixth.
            arguments.Set(BenchmarkApp.ProducerResource, "Retention:Done", retention)
                .Set(BenchmarkApp.ProducerResource, "Retention:Interval", (options.SoakRetention / 30).ToString("c", CultureInfo.InvariantCulture));
        }

        foreach (var (setting, value) in BenchmarkApi.ProducerSettings(hash))
        {
            arguments.Set(BenchmarkApp.ProducerResource, setting, value);
        }

        arguments.AddUserArguments(options.AppHostArguments);
        await Progress.WriteLineAsync($"{label} starting PostgreSQL and the consumers through Aspire ({arguments.StateDirectory})");
        try
        {
            await using var app = await runner.StartAppAsync(arguments, options.Consumers, cancellationToken);
            await using var dataSource = BenchmarkRunner.OpenDataSource(app.ConnectionString);
            var synchronousCommit = await runner.ConfigureCommitAsync(dataSource, cancellationToken);
            var notifyTrigger = await runner.ConfigureNotifyTriggerAsync(dataSource, label, cancellationToken);

            await Progress.WriteLineAsync($"{label} producing {(IsMax ? "at an unlimited rate" : $"at {options.SoakRate:N0}/s")} for {duration.TotalSeconds:N0} s");
            await BenchmarkRunner.StartProducerAsync(app, dataSource, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            await app.WaitForHealthyAsync(BenchmarkApp.ProducerResource, 1, cancellationToken);
            using var api = new BenchmarkApi(app.ProducerApi, key);

            var timings = new List<(double Seconds, string Name, double Milliseconds)>();
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = ReadLoopAsync(api, started, timings, stopReading.Token);

            var samples = new List<SoakSample>();
            var exactEvery = TimeSpan.FromTicks(Math.Min(MaxExactCountInterval.Ticks, Math.Max(SampleInterval.Ticks, duration.Ticks / 6)));
            TimeSpan? lastExact = null;
            var (lastSeconds, lastEnded) = (0d, 0L);
            using (var timer = new PeriodicTimer(SampleInterval))
            {
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    var ended = await EndedAsync(dataSource, cancellationToken);
                    long? exact = null;
                    if (lastExact is not { } previous || elapsed - previous >= exactEvery || elapsed + SampleInterval > duration)
                    {
                        lastExact = elapsed;
                        exact = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT count(*) FROM tasks", cancellationToken);
                    }

                    var estimate = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT coalesce(max(n_live_tup), 0) FROM pg_stat_user_tables WHERE relname = 'tasks'", cancellationToken);
                    var bytes = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT pg_total_relation_size('tasks')", cancellationToken);
                    var seconds = elapsed.TotalSeconds;
                    Dictionary<string, double> windowP99;
                    lock (timings)
                    {
                        windowP99 = Reads.ToDictionary(
                            read => read.Name,
                            read => Percentiles.Of([.. timings.Where(t => t.Name == read.Name && t.Seconds > lastSeconds).Select(t => t.Milliseconds)], 0.99),
                            StringComparer.Ordinal);
                    }

                    var sample = new SoakSample(
                        Math.Round(seconds, 1),
                        Math.Round((ended - lastEnded) / Math.Max(seconds - lastSeconds, 0.001)),
                        estimate,
                        exact,
                        Math.Round(bytes / 1024d / 1024d, 1),
                        windowP99);
                    samples.Add(sample);
                    (lastSeconds, lastEnded) = (seconds, ended);
                    await Progress.WriteLineAsync(
                        $"{label} {seconds:0} s: {sample.TasksPerSecond:N0} tasks/s, rows ≈{estimate:N0}{(exact is { } n ? $" (exactly {n:N0})" : string.Empty)}, {sample.TableMb:N0} MB;"
                        + $" read p99 {string.Join(", ", windowP99.Select(pair => $"{pair.Key} {pair.Value:0} ms"))}");
                    if (elapsed + (SampleInterval / 2) >= duration)
                    {
                        break;
                    }
                }
            }

            await stopReading.CancelAsync();
            await reading;
            var totalSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var endedAtStop = await EndedAsync(dataSource, cancellationToken);
            await Progress.WriteLineAsync($"{label} stopping the Producer and auditing");
            await app.StopAsync(BenchmarkApp.ProducerResource, cancellationToken);
            var audit = await AuditAsync(dataSource, cancellationToken);
            await Progress.WriteLineAsync(
                $"{label} audit: {audit.Inserted:N0} inserted = {audit.Left:N0} left + {audit.Deleted:N0} deleted; {audit.Ended:N0} ended, {audit.Open:N0} still open (not sent when the Producer stopped), {audit.NotDone:N0} failed or canceled: {(audit.ExactlyOnce ? "every task ended exactly once ✔" : "✘")}");

            if (notifyTrigger == NotifyTrigger.Off)
            {
                await BenchmarkRunner.ExecuteAsync(dataSource, NotifyTrigger.EnableSql, cancellationToken);
            }

            List<(double Seconds, string Name, double Milliseconds)> all;
            lock (timings)
            {
                all = [.. timings];
            }

            var readFigures = Reads.ToDictionary(
                read => read.Name,
                read =>
                {
                    var values = all.Where(t => t.Name == read.Name).Select(t => t.Milliseconds).ToList();
                    var p99 = Percentiles.Of(values, 0.99);
                    return new ReadFigures(read.Name, "GET " + read.Path, read.Path.StartsWith("/api/tasks", StringComparison.Ordinal) ? 1 : 0, values.Count, null,
                        Percentiles.Of(values, 0.5), p99, Percentiles.Max(values), values.Count > 0 && p99 <= ReadsBenchmark.TargetP99Ms);
                },
                StringComparer.Ordinal);

            var warnings = runner.Warnings(load);
            warnings.AddRange(BenchmarkRunner.ServiceBuildWarnings(app));
            var settings = BenchmarkRunner.Settings(
                new BenchmarkRunner.BenchmarkRun("soak", BenchmarkWorkload.Soak, options.Consumers, audit.Inserted),
                app, arguments, synchronousCommit, await BenchmarkRunner.ServerVersionAsync(dataSource, cancellationToken), date, load, false, warnings)
                with { NotifyTrigger = notifyTrigger };
            var soakRun = new SoakRun(retention, Math.Round(totalSeconds, 1), Math.Round(endedAtStop / Math.Max(totalSeconds, 0.001)), samples, readFigures, audit);
            await Progress.WriteLineAsync($"{label} {soakRun.TasksPerSecond:N0} tasks/s over {soakRun.Seconds:0} s; stopping");
            return (soakRun, settings);
        }
        finally
        {
            runner.DeleteStateDirectory(arguments.StateDirectory);
        }
    }

    /// <summary>Terminal transitions so far: the numbers task_event_seq has issued (one per task ended; deleted rows still count).</summary>
    private static async Task<long> EndedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        await BenchmarkRunner.ScalarAsync(dataSource, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM task_event_seq", cancellationToken);

    /// <summary>The three reads, one after the other, once a second while the run lasts (timed as a client sees them).</summary>
    private static async Task ReadLoopAsync(
        BenchmarkApi api, long started, List<(double Seconds, string Name, double Milliseconds)> timings, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(ReadInterval);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var (name, path) in Reads)
                {
                    var (milliseconds, _) = await api.TimeAsync(HttpMethod.Get, path, cancellationToken);
                    lock (timings)
                    {
                        timings.Add((Stopwatch.GetElapsedTime(started).TotalSeconds, name, milliseconds));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// After the Producer stopped: waits until no task is processing (the Consumers finish what they hold) and the
    /// server's counters have caught up (inserted = left + deleted, asked again until it holds or 60 s pass), then
    /// compares inserted, deleted, left and ended.
    /// </summary>
    private static async Task<SoakAudit> AuditAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var processing = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT count(*) FROM tasks WHERE state = 'processing'", cancellationToken);
            await using var command = dataSource.CreateCommand("""
                SELECT (SELECT coalesce(max(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname = 'tasks'),
                       (SELECT coalesce(max(n_tup_del), 0) FROM pg_stat_user_tables WHERE relname = 'tasks'),
                       count(*),
                       count(*) FILTER (WHERE state IN ('received', 'processing')),
                       count(*) FILTER (WHERE state IN ('failed', 'canceled'))
                FROM tasks
                """);
            command.CommandTimeout = 0;
            long inserted, deleted, left, open, notDone;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                (inserted, deleted, left, open, notDone) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
            }

            var ended = await EndedAsync(dataSource, cancellationToken);
            var balanced = inserted == left + deleted;
            if ((processing == 0 && balanced) || DateTime.UtcNow > deadline)
            {
                return new SoakAudit(inserted, deleted, left, open, notDone, ended, balanced && ended == inserted - open && notDone == 0);
            }

            await Task.Delay(1000, cancellationToken);
        }
    }
}
