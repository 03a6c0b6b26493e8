using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The reads workload: a fresh app (PostgreSQL, one Consumer, the Producer with the benchmark's API key), the tasks
/// table seeded with <see cref="BenchmarkOptions.Rows"/> rows (<see cref="TaskSeeder"/>), VACUUM ANALYZE, then each of
/// the API's reads timed over HTTP (warm-up calls, then <see cref="BenchmarkOptions.Repeat"/> timed ones, within a
/// time budget per read), then what an open dashboard tab costs PostgreSQL, and last the retry-many of canceled tasks
/// (it changes rows, so nothing is timed after it).
/// </summary>
internal sealed class ReadsBenchmark(BenchmarkRunner runner, BenchmarkOptions options)
{
    public const double TargetP99Ms = 50;
    public const double DashboardTargetPercent = 1;
    public static readonly TimeSpan DashboardWindow = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DashboardInterval = TimeSpan.FromSeconds(2);

    /// <summary>A read slower than this in total stops early (a 10 million row count takes seconds per call): its samples say how many.</summary>
    private static readonly TimeSpan ReadBudget = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(20);
    private const int Deep = 5;
    private const string Label = "[reads]";

    /// <summary>The list queries the dashboard's pages make: no filter, each state, a type, a state and a type.</summary>
    private static readonly string[] ListQueries =
        ["", "state=received", "state=processing", "state=done", "state=failed", "state=canceled", "type=3", "state=failed&type=3"];

    private TextWriter Progress => options.Progress;

    public async Task<ReadsReport> RunAsync(CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var load = BuildInfo.LoadAverage();
        var (key, hash) = BenchmarkApi.NewKey();
        var arguments = new AppHostArguments(runner.NewStateDirectory(), consumers: 1)
            // One task: MaxTasks cannot be 0. It is made and done before anything is timed.
            .Set(BenchmarkApp.ProducerResource, "Producer:MaxTasks", "1")
            // The seeded day of history is kept as seeded: retention would delete its oldest rows (and the sampled
            // ids among them) while the reads are timed. The soak workload measures retention.
            .Set(BenchmarkApp.ProducerResource, "Retention:Done", "0")
            .Set(BenchmarkApp.ProducerResource, "Retention:Failed", "0")
            .Set(BenchmarkApp.ProducerResource, "Retention:Canceled", "0")
            .Set(BenchmarkApp.ConsumerResource, BenchmarkRunner.PerTaskLogCategory, "Warning");
        foreach (var (setting, value) in BenchmarkApi.ProducerSettings(hash))
        {
            arguments.Set(BenchmarkApp.ProducerResource, setting, value);
        }

        arguments.AddUserArguments(options.AppHostArguments);
        await Progress.WriteLineAsync($"{Label} starting PostgreSQL and a consumer through Aspire ({arguments.StateDirectory})");
        try
        {
            await using var app = await runner.StartAppAsync(arguments, 1, cancellationToken);
            await using var dataSource = BenchmarkRunner.OpenDataSource(app.ConnectionString);
            var synchronousCommit = await runner.ConfigureCommitAsync(dataSource, cancellationToken);
            var producerSettings = ServiceSettings.Read(app.ProjectPaths[BenchmarkApp.ProducerResource], "Producer", arguments.SettingsOf(BenchmarkApp.ProducerResource));
            var maxBacklog = int.Parse(producerSettings.GetValueOrDefault("Producer:MaxBacklog", "1000"), CultureInfo.InvariantCulture);

            await Progress.WriteLineAsync($"{Label} seeding {options.Rows:N0} rows by binary COPY");
            // Half of MaxBacklog: at MaxBacklog generation pauses, and the Producer's one task would never be made.
            var seed = await TaskSeeder.SeedAsync(app.ConnectionString, options.Rows, (int)Math.Min(maxBacklog / 2, options.Rows / 100), Progress, cancellationToken);
            await Progress.WriteLineAsync($"{Label} seeded in {seed.Seconds:0.0} s: {string.Join(", ", seed.States.Select(pair => $"{pair.Key} {pair.Value:N0}"))}");
            var vacuumStarted = Stopwatch.GetTimestamp();
            await BenchmarkRunner.ExecuteAsync(dataSource, "VACUUM ANALYZE tasks", cancellationToken);
            await BenchmarkRunner.ExecuteAsync(dataSource, "CHECKPOINT", cancellationToken);
            var vacuumSeconds = Stopwatch.GetElapsedTime(vacuumStarted).TotalSeconds;
            await Progress.WriteLineAsync($"{Label} VACUUM ANALYZE and CHECKPOINT took {vacuumSeconds:0.0} s");

            await app.StartAsync(BenchmarkApp.ProducerResource, cancellationToken);
            await app.WaitForHealthyAsync(BenchmarkApp.ProducerResource, 1, cancellationToken);
            await WaitForProducersTaskAsync(dataSource, cancellationToken);
            var rows = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT count(*) FROM tasks", cancellationToken);
            var tableMb = await BenchmarkRunner.ScalarAsync(dataSource, "SELECT pg_total_relation_size('tasks')", cancellationToken) / 1024d / 1024d;

            using var api = new BenchmarkApi(app.ProducerApi, key);
            var reads = new List<ReadFigures>
            {
                await TimeReadAsync(api, "stats", "/api/stats", 0, null, cancellationToken),
                await TimeReadAsync(api, "pipeline", "/api/pipeline", 0, null, cancellationToken),
            };
            foreach (var query in ListQueries)
            {
                reads.Add(await TimeReadAsync(api, ListName(query, 1), ListPath(query, null), 1, null, cancellationToken));
            }

            foreach (var query in ListQueries)
            {
                var (page, cursor) = await FollowAsync(api, query, cancellationToken);
                reads.Add(await TimeReadAsync(api, ListName(query, page), ListPath(query, null), page, ListPath(query, cursor), cancellationToken));
            }

            reads.Add(await TimeByIdAsync(api, seed.SampleIds, cancellationToken));
            var dashboard = await MeasureDashboardAsync(app, api, cancellationToken);
            reads.Add(await RetryManyAsync(api, cancellationToken));

            var run = new BenchmarkRunner.BenchmarkRun("reads", BenchmarkWorkload.Reads, 1, rows);
            var warnings = runner.Warnings(load);
            warnings.AddRange(BenchmarkRunner.ServiceBuildWarnings(app));
            var settings = BenchmarkRunner.Settings(run, app, arguments, synchronousCommit, await BenchmarkRunner.ServerVersionAsync(dataSource, cancellationToken), date, load, false, warnings);
            await Progress.WriteLineAsync($"{Label} stopping");
            return new ReadsReport
            {
                Workload = "reads",
                Rows = rows,
                SeededStates = seed.States,
                SeedSeconds = Math.Round(seed.Seconds, 1),
                VacuumAnalyzeSeconds = Math.Round(vacuumSeconds, 1),
                TableMb = Math.Round(tableMb, 1),
                WarmupCalls = WarmupCalls,
                TargetP99Ms = TargetP99Ms,
                Reads = reads,
                AllReadsMeetTarget = reads.Where(read => !read.Path.StartsWith("POST", StringComparison.Ordinal)).All(read => read.MeetsTarget),
                Dashboard = dashboard,
                Settings = settings,
            };
        }
        finally
        {
            runner.DeleteStateDirectory(arguments.StateDirectory);
        }
    }

    private int WarmupCalls => Math.Clamp(options.Repeat / 10, 3, 20);

    private static string ListName(string query, int page) =>
        (query.Length == 0 ? "tasks" : $"tasks?{query}") + (page > 1 ? $" page {page}" : string.Empty);

    private static string ListPath(string query, Guid? after)
    {
        var parts = new List<string>();
        if (query.Length > 0)
        {
            parts.Add(query);
        }

        if (after is { } cursor)
        {
            parts.Add($"after={cursor}");
        }

        return parts.Count == 0 ? "/api/tasks" : "/api/tasks?" + string.Join('&', parts);
    }

    /// <summary>The Producer's one task (MaxTasks = 1) is the newest row: waits until it is done, so nothing moves while reads are timed.</summary>
    private static async Task WaitForProducersTaskAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = dataSource.CreateCommand("SELECT state::text FROM tasks ORDER BY id DESC LIMIT 1");
            if (await command.ExecuteScalarAsync(cancellationToken) is "done")
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchmarkException("the Producer's task was not done within 2 minutes", []);
    }

    /// <summary>Follows <c>next</c> from the first page up to page 5 (fewer when the list ends): the page and its cursor.</summary>
    private static async Task<(int Page, Guid? Cursor)> FollowAsync(BenchmarkApi api, string query, CancellationToken cancellationToken)
    {
        Guid? cursor = null;
        var page = 1;
        while (page < Deep)
        {
            var (_, body) = await api.TimeAsync(HttpMethod.Get, ListPath(query, cursor), cancellationToken);
            if (body.GetProperty("next").ValueKind != JsonValueKind.String)
            {
                break;
            }

            cursor = body.GetProperty("next").GetGuid();
            page++;
        }

        return (page, cursor);
    }

    /// <param name="request">What is sent when not <paramref name="path"/> itself (a later page's cursor).</param>
    private async Task<ReadFigures> TimeReadAsync(BenchmarkApi api, string name, string path, int page, string? request, CancellationToken cancellationToken)
    {
        request ??= path;
        for (var i = 0; i < WarmupCalls; i++)
        {
            await api.TimeAsync(HttpMethod.Get, request, cancellationToken);
        }

        var timings = new List<double>(options.Repeat);
        long? rows = null;
        var started = Stopwatch.GetTimestamp();
        while (timings.Count < options.Repeat && (timings.Count < 10 || Stopwatch.GetElapsedTime(started) < ReadBudget))
        {
            var (milliseconds, body) = await api.TimeAsync(HttpMethod.Get, request, cancellationToken);
            timings.Add(milliseconds);
            rows = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("items", out var items) ? items.GetArrayLength() : rows;
        }

        return await FiguresAsync(name, "GET " + path, page, rows, timings);
    }

    private async Task<ReadFigures> TimeByIdAsync(BenchmarkApi api, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return await FiguresAsync("tasks/{id}", "GET /api/tasks/{id}", 0, null, []);
        }

        for (var i = 0; i < WarmupCalls; i++)
        {
            await api.TimeAsync(HttpMethod.Get, $"/api/tasks/{ids[^(1 + (i % ids.Count))]}", cancellationToken);
        }

        // A different task each call, spread over the whole table: mostly pages the cache has not seen.
        var timings = new List<double>(options.Repeat);
        for (var i = 0; i < options.Repeat; i++)
        {
            var (milliseconds, _) = await api.TimeAsync(HttpMethod.Get, $"/api/tasks/{ids[i * 7919 % ids.Count]}", cancellationToken);
            timings.Add(milliseconds);
        }

        return await FiguresAsync("tasks/{id}", "GET /api/tasks/{id}", 0, 1, timings);
    }

    /// <summary>
    /// Retry-many of canceled tasks with the API's default limit, <see cref="RetryManyCalls"/> calls in a row, last (it
    /// requeues real rows, which the Consumer then works on): each call takes the oldest canceled tasks left, rows
    /// spread over the whole table that the cache has not seen.
    /// </summary>
    private async Task<ReadFigures> RetryManyAsync(BenchmarkApi api, CancellationToken cancellationToken)
    {
        const string path = "/api/tasks/retry?state=canceled";
        var timings = new List<double>(RetryManyCalls);
        long requeued = 0;
        for (var call = 0; call < RetryManyCalls; call++)
        {
            var (milliseconds, body) = await api.TimeAsync(HttpMethod.Post, path, cancellationToken);
            timings.Add(milliseconds);
            requeued += body.GetProperty("requeued").GetInt64();
            if (!body.GetProperty("more").GetBoolean())
            {
                break;
            }
        }

        await Progress.WriteLineAsync($"{Label} POST {path}: {requeued:N0} tasks requeued in {timings.Count} calls");
        return await FiguresAsync("retry canceled", "POST " + path, 0, requeued, timings);
    }

    private const int RetryManyCalls = 40;

    private async Task<ReadFigures> FiguresAsync(string name, string path, int page, long? rows, List<double> timings)
    {
        var p99 = Percentiles.Of(timings, 0.99);
        var figures = new ReadFigures(name, path, page, timings.Count, rows, Percentiles.Of(timings, 0.5), p99, Percentiles.Max(timings), timings.Count > 0 && p99 <= TargetP99Ms);
        await Progress.WriteLineAsync(
            $"{Label} {name}: p50 {figures.P50:0.0} ms, p99 {figures.P99:0.0} ms, max {figures.Max:0.0} ms ({figures.Samples} calls{(rows is { } n ? $", {n} rows" : string.Empty)}) {(figures.MeetsTarget ? "✔" : "✘")}");
        return figures;
    }

    /// <summary>
    /// PostgreSQL's CPU with no tab (the Producer's own polls, background workers), then with the overview page open:
    /// the notification stream held, and /api/stats with /api/pipeline together every 2 s, as app.js does.
    /// </summary>
    private async Task<DashboardCost> MeasureDashboardAsync(BenchmarkApp app, BenchmarkApi api, CancellationToken cancellationToken)
    {
        await Progress.WriteLineAsync($"{Label} PostgreSQL idle for {IdleWindow.TotalSeconds:0} s, then an open dashboard tab for {DashboardWindow.TotalSeconds:0} s");
        var idleStart = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
        var idleClock = Stopwatch.GetTimestamp();
        await Task.Delay(IdleWindow, cancellationToken);
        var idleEnd = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
        var idlePercent = idleEnd.CpuSince(idleStart, BenchmarkApp.PostgresResource).TotalSeconds / Stopwatch.GetElapsedTime(idleClock).TotalSeconds * 100;

        using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
        var clock = Stopwatch.GetTimestamp();
        var following = api.FollowNotificationsAsync(stream.Token);
        var refreshes = new List<double>();
        using (var timer = new PeriodicTimer(DashboardInterval))
        {
            do
            {
                var refresh = Stopwatch.GetTimestamp();
                await Task.WhenAll(
                    api.TimeAsync(HttpMethod.Get, "/api/stats", cancellationToken),
                    api.TimeAsync(HttpMethod.Get, "/api/pipeline", cancellationToken));
                refreshes.Add(Stopwatch.GetElapsedTime(refresh).TotalMilliseconds);
            }
            while (Stopwatch.GetElapsedTime(clock) + DashboardInterval <= DashboardWindow && await timer.WaitForNextTickAsync(cancellationToken));
        }

        // The window ends at its full length, not at the last refresh: the tab costs nothing between its refreshes either.
        var remaining = DashboardWindow - Stopwatch.GetElapsedTime(clock);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellationToken);
        }

        var end = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
        var seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        await stream.CancelAsync();
        await following;
        var tabPercent = end.CpuSince(start, BenchmarkApp.PostgresResource).TotalSeconds / seconds * 100;
        var cost = Math.Max(0, tabPercent - idlePercent);
        var result = new DashboardCost(
            Math.Round(seconds, 1),
            refreshes.Count,
            Percentiles.Of(refreshes, 0.5),
            Percentiles.Of(refreshes, 0.99),
            Math.Round(idlePercent, 2),
            Math.Round(tabPercent, 2),
            Math.Round(cost, 2),
            cost <= DashboardTargetPercent);
        await Progress.WriteLineAsync(
            $"{Label} dashboard tab: PostgreSQL {result.TabPercentOfCore:0.00} % of a core ({result.IdlePercentOfCore:0.00} % idle): the tab costs {result.CostPercentOfCore:0.00} % {(result.MeetsTarget ? "✔" : "✘")}; refresh p50 {result.RefreshP50Ms:0} ms");
        return result;
    }
}
