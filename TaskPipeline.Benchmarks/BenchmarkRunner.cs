using System.Globalization;
using Npgsql;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// Runs the benchmark's workloads, each on a fresh app started through Aspire from the real AppHost (the machine's
/// PostgreSQL with an empty database, the Consumer replicas, one Producer), and reports what the database and the kernel
/// recorded. A run: start PostgreSQL and the Consumers (the Producer waits for its explicit start); for max, measure the
/// ceiling on that server; sample every process's CPU; start the Producer (Aspire's Start command), which makes the
/// run's tasks; wait until the database has every one of them done; sample again; read the statistics; stop.
/// </summary>
internal sealed class BenchmarkRunner(BenchmarkOptions options)
{
    /// <summary>The per-task "received" line is Information; at tens of thousands per second it would be the benchmark.</summary>
    public const string PerTaskLogCategory = "Logging:LogLevel:TaskPipeline.Consumer.Submit.TaskProcessorService";

    /// <summary>Room for the Producer to run ahead of the Consumers at an unlimited rate (the default 1000 would pace it).</summary>
    public const int MaxWorkloadBacklog = 50_000;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FirstTaskPollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan FullCountInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    private TextWriter Progress => options.Progress;

    public async Task<List<BenchmarkReport>> RunAsync(CancellationToken cancellationToken)
    {
        if (!BuildInfo.IsRelease)
        {
            await Progress.WriteLineAsync(
                $"warning: this is a {BuildInfo.Configuration} build: its numbers mean little. For real ones: dotnet run -c Release --project TaskPipeline.Benchmarks -- …");
        }

        var reports = new List<BenchmarkReport>();
        foreach (var run in Plan())
        {
            reports.Add(run.Kind == BenchmarkWorkload.Ceiling
                ? await RunCeilingOnlyAsync(run, cancellationToken)
                : await RunPipelineAsync(run, cancellationToken));
        }

        return reports;
    }

    private List<BenchmarkRun> Plan()
    {
        var max = new BenchmarkRun("max", BenchmarkWorkload.Max, options.Consumers, options.MaxTasks);
        var steady = new BenchmarkRun("steady", BenchmarkWorkload.Steady, options.Consumers, options.SteadyTasks);
        var scale = BenchmarkOptions.ScaleReplicas.Select(replicas => new BenchmarkRun("scale", BenchmarkWorkload.Max, replicas, options.MaxTasks));
        return options.Workload switch
        {
            BenchmarkWorkload.Max => [max],
            BenchmarkWorkload.Steady => [steady],
            BenchmarkWorkload.Scale => [.. scale],
            BenchmarkWorkload.Ceiling => [new BenchmarkRun("ceiling", BenchmarkWorkload.Ceiling, 0, options.MaxTasks)],
            BenchmarkWorkload.All => [max, steady, .. scale],
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Workload, "unknown workload"),
        };
    }

    private async Task<BenchmarkReport> RunPipelineAsync(BenchmarkRun run, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var load = BuildInfo.LoadAverage();
        var label = $"[{run.Name}, {run.Consumers} consumer{(run.Consumers == 1 ? "" : "s")}]";
        var isMax = run.Kind == BenchmarkWorkload.Max;
        // Steady measures latency in a steady state: a fresh process compiles its code on its first calls, which holds up
        // the first second's tasks by hundreds of milliseconds. Those warm-up tasks run first and are left out.
        var warmupTasks = isMax ? 0 : (long)Math.Round(options.Rate * options.WarmupSeconds);
        var totalTasks = run.Tasks + warmupTasks;
        var arguments = new AppHostArguments(NewStateDirectory(), run.Consumers)
            .Set(BenchmarkApp.ProducerResource, "Producer:Rate", isMax ? "0" : Invariant(options.Rate))
            .Set(BenchmarkApp.ProducerResource, "Producer:MaxTasks", Invariant(totalTasks))
            .Set(BenchmarkApp.ConsumerResource, PerTaskLogCategory, "Warning");
        if (isMax)
        {
            arguments.Set(BenchmarkApp.ProducerResource, "Producer:MaxBacklog", Invariant(MaxWorkloadBacklog))
                .Set(BenchmarkApp.ConsumerResource, "Consumer:DelayPerValue", "00:00:00");
        }

        arguments.AddUserArguments(options.AppHostArguments);
        await Progress.WriteLineAsync($"{label} starting PostgreSQL and the consumers through Aspire ({arguments.StateDirectory})");
        var timeout = options.Timeout ?? (isMax
            ? TimeSpan.FromSeconds(120 + (run.Tasks / 2000.0))
            : TimeSpan.FromSeconds(120 + (totalTasks / Math.Max(options.Rate, 1))));
        try
        {
            await using var app = await StartAppAsync(arguments, run.Consumers, cancellationToken);
            await using var dataSource = OpenDataSource(app.ConnectionString);
            var synchronousCommit = await ConfigureCommitAsync(dataSource, cancellationToken);
            var notifyTrigger = await ConfigureNotifyTriggerAsync(dataSource, label, cancellationToken);

            TaskStatistics? ceiling = null;
            if (isMax)
            {
                ceiling = await CeilingBenchmark.RunAsync(app.ConnectionString, run.Tasks, cancellationToken);
                await Progress.WriteLineAsync(
                    $"{label} ceiling: {ceiling.Done:N0} tasks in {ceiling.Seconds:0.00} s = {ceiling.TasksPerSecond:N0} tasks/s (plain SQL, {CeilingBenchmark.BatchSize} rows per statement, {CeilingBenchmark.Connections} connections)");
            }

            // PostgreSQL and the consumers are idle now; the producer's CPU counts from its first stored task, so no
            // process's start-up is counted as work on tasks.
            var start = ResourceUsage.Sample(app.Processes());
            var hostStart = HostCpu.Sample(app);
            await Progress.WriteLineAsync($"{label} producing {run.Tasks:N0} tasks{(isMax ? " at an unlimited rate" : $" at {options.Rate:N0}/s")}"
                + (warmupTasks > 0 ? $" after {warmupTasks:N0} warm-up tasks ({options.WarmupSeconds:0.#} s, not measured)" : string.Empty));
            start = start.With(await StartProducerAsync(app, dataSource, cancellationToken));
            if (warmupTasks > 0)
            {
                // At a steady rate the warm-up tasks are the ones made in this time; the CPU window starts after it.
                await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
                start = ResourceUsage.Sample(app.Processes());
                hostStart = HostCpu.Sample(app);
            }

            await WaitUntilAllDoneAsync(app, dataSource, totalTasks, timeout, label, cancellationToken);
            var end = ResourceUsage.Sample(app.Processes());
            var hostEnd = HostCpu.Sample(app);

            var delayPerValue = DelayPerValue(app, arguments);
            var statistics = await TaskStatistics.ReadAsync(dataSource, "tasks", delayPerValue, warmupTasks, cancellationToken);
            var warnings = Warnings(load);
            foreach (var resource in (string[])[BenchmarkApp.ConsumerResource, BenchmarkApp.ProducerResource, BenchmarkApp.PostgresResource])
            {
                if (start.Pids.TryGetValue(resource, out var before) && !before.SequenceEqual(end.Pids.GetValueOrDefault(resource) ?? []))
                {
                    warnings.Add($"a {resource} process was replaced during the run (pids {string.Join(',', before)} → {string.Join(',', end.Pids.GetValueOrDefault(resource) ?? [])}): its CPU figure is incomplete");
                }
            }

            warnings.AddRange(ServiceBuildWarnings(app));
            var settings = Settings(run, app, arguments, synchronousCommit, await ServerVersionAsync(dataSource, cancellationToken), date, load, ceiling is not null, warnings)
                with { WarmupTasks = warmupTasks, NotifyTrigger = notifyTrigger, Telemetry = options.Telemetry };
            if (notifyTrigger == NotifyTrigger.Off)
            {
                await ExecuteAsync(dataSource, NotifyTrigger.EnableSql, cancellationToken);
            }

            ReferenceFigures? reference = null;
            if (!isMax)
            {
                // The services are stopped first: what PostgreSQL spends in the reference's window is the reference's.
                await Progress.WriteLineAsync($"{label} the reference: the naive lifecycle (one row, three commits a task) at {options.Rate:N0}/s, {NaiveReference.Clients} clients, services stopped");
                await app.StopAsync(BenchmarkApp.ProducerResource, cancellationToken);
                await app.StopAsync(BenchmarkApp.ConsumerResource, cancellationToken);
                reference = await NaiveReference.RunAsync(app, dataSource, options.Rate, run.Tasks, timeout, cancellationToken);
            }

            var report = Report(run, statistics, ceiling, start, end, settings, reference) with
            {
                HostCpuMsPer1000Tasks = new HostFigures(
                    HostCpuPer1000(hostStart, hostEnd, HostCpu.Dcp, statistics.Done),
                    options.Telemetry ? HostCpuPer1000(hostStart, hostEnd, HostCpu.Dashboard, statistics.Done) : null,
                    HostCpuPer1000(hostStart, hostEnd, HostCpu.AppHost, statistics.Done)),
            };
            double WrapperMicroseconds(string resource) => Math.Round(end.RootCpuSince(start, resource).TotalMilliseconds * 1000 / Math.Max(report.Tasks, 1), 1);
            await Progress.WriteLineAsync(
                $"{label} {report.Tasks:N0} tasks in {report.Seconds:0.00} s = {report.TasksPerSecond:N0} tasks/s"
                + (report.CeilingRatio is { } ratio ? $" ({ratio:0.00} of the ceiling)" : string.Empty)
                + $"; latency p50 {report.LatencyMs.P50:0.0} ms, p99 {report.LatencyMs.P99:0.0} ms");
            await Progress.WriteLineAsync(
                $"{label} CPU µs per task: producer {report.CpuMsPer1000Tasks.Producer}, consumer {report.CpuMsPer1000Tasks.Consumer}, postgres {report.CpuMsPer1000Tasks.Postgres};"
                + $" of which the dotnet run wrappers: producer {WrapperMicroseconds(BenchmarkApp.ProducerResource)}, consumer {WrapperMicroseconds(BenchmarkApp.ConsumerResource)}");
            if (report.HostCpuMsPer1000Tasks is { } host)
            {
                await Progress.WriteLineAsync(
                    $"{label} around the pipeline, CPU µs per task: dcp {host.Dcp}, dashboard {BenchmarkHtml.Number(host.Dashboard, "0.#")}, apphost {host.Apphost}");
            }

            if (report.Reference is { } naive)
            {
                await Progress.WriteLineAsync(
                    $"{label} reference: {naive.CpuMicrosecondsPerTask} µs per task (client + postgres), latency p50 {naive.LatencyMs.P50:0.0} ms, p99 {naive.LatencyMs.P99:0.0} ms; cost ratio {report.CostRatio}");
            }

            await Progress.WriteLineAsync($"{label} stopping");
            return report;
        }
        finally
        {
            DeleteStateDirectory(arguments.StateDirectory);
        }
    }

    private async Task<BenchmarkReport> RunCeilingOnlyAsync(BenchmarkRun run, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var load = BuildInfo.LoadAverage();
        // One Consumer creates the schema (its migrations) and is stopped again; the Producer is never started: nothing
        // but this process talks to the server.
        var arguments = new AppHostArguments(NewStateDirectory(), consumers: 1);
        arguments.AddUserArguments(options.AppHostArguments);
        await Progress.WriteLineAsync($"[ceiling] starting PostgreSQL through Aspire ({arguments.StateDirectory})");
        try
        {
            await using var app = await StartAppAsync(arguments, 1, cancellationToken);
            await app.StopAsync(BenchmarkApp.ConsumerResource, cancellationToken);
            await using var dataSource = OpenDataSource(app.ConnectionString);
            var synchronousCommit = await ConfigureCommitAsync(dataSource, cancellationToken);

            var start = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
            var ceiling = await CeilingBenchmark.RunAsync(app.ConnectionString, run.Tasks, cancellationToken);
            var end = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
            var settings = Settings(run, app, arguments, synchronousCommit, await ServerVersionAsync(dataSource, cancellationToken), date, load, true, Warnings(load));
            var report = Report(run, ceiling, ceiling, start, end, settings);
            await Progress.WriteLineAsync($"[ceiling] {report.Tasks:N0} tasks in {report.Seconds:0.00} s = {report.TasksPerSecond:N0} tasks/s");
            return report;
        }
        finally
        {
            DeleteStateDirectory(arguments.StateDirectory);
        }
    }

    internal Task<BenchmarkApp> StartAppAsync(AppHostArguments arguments, int consumers, CancellationToken cancellationToken) =>
        BenchmarkApp.StartAsync(arguments.ToArgs(), consumers, options.Telemetry, options.Verbose ? Console.Error : null, StartTimeout, cancellationToken);

    /// <summary>
    /// The app as a user gets it: default settings, the Producer making one task (and no more), the user's own
    /// --set arguments on top. The idle and scheduled workloads start from it.
    /// </summary>
    internal AppHostArguments UserAppArguments()
    {
        var arguments = new AppHostArguments(NewStateDirectory(), options.Consumers)
            .Set(BenchmarkApp.ProducerResource, "Producer:MaxTasks", "1");
        arguments.AddUserArguments(options.AppHostArguments);
        return arguments;
    }

    /// <summary>
    /// Starts the Producer of a <see cref="UserAppArguments"/> app and waits until its one task is done: its start-up
    /// work is then behind it.
    /// </summary>
    internal static async Task StartProducerAndAwaitItsTaskAsync(BenchmarkApp app, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await StartProducerAsync(app, dataSource, cancellationToken);
        await app.WaitForHealthyAsync(BenchmarkApp.ProducerResource, 1, cancellationToken);
        while (await ScalarAsync(dataSource, "SELECT count(*) FROM tasks WHERE state <> 'done'", cancellationToken) > 0)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The run's own folder: the given one (emptied by the AppHost's fresh start), or a new one in the temp folder.</summary>
    internal string NewStateDirectory() => options.StateDirectory
        ?? Path.Combine(Path.GetTempPath(), $"taskpipeline-bench-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..48]);

    /// <summary>The benchmark's own connections: a pool that does not reset a connection (DISCARD ALL) at every poll.</summary>
    internal static NpgsqlDataSource OpenDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.ConnectionStringBuilder.ApplicationName = "taskpipeline-bench";
        return builder.Build();
    }

    /// <summary>Applies --unsafe-commit to the whole server and returns synchronous_commit as the server reports it.</summary>
    internal async Task<string> ConfigureCommitAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (options.UnsafeCommit)
        {
            await using var alter = dataSource.CreateCommand("ALTER SYSTEM SET synchronous_commit = 'off'");
            await alter.ExecuteNonQueryAsync(cancellationToken);
            await using var reload = dataSource.CreateCommand("SELECT pg_reload_conf()");
            await reload.ExecuteNonQueryAsync(cancellationToken);
        }

        // A reload reaches each backend between its statements: ask until this session sees it (or give the truth).
        string setting;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        do
        {
            await using var show = dataSource.CreateCommand("SHOW synchronous_commit");
            setting = (string)(await show.ExecuteScalarAsync(cancellationToken))!;
            if (!options.UnsafeCommit || setting == "off")
            {
                break;
            }

            await Task.Delay(50, cancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        return setting;
    }

    /// <summary>
    /// --notify-trigger off: disables the completion NOTIFY trigger before the load (the caller enables it again after),
    /// so that a run measures the pipeline without it. Returns the trigger's state for the report.
    /// </summary>
    internal async Task<string> ConfigureNotifyTriggerAsync(NpgsqlDataSource dataSource, string label, CancellationToken cancellationToken)
    {
        if (!options.NotifyTriggerOff)
        {
            return NotifyTrigger.On;
        }

        await ExecuteAsync(dataSource, NotifyTrigger.DisableSql, cancellationToken);
        await Progress.WriteLineAsync($"{label} the completion NOTIFY trigger ({NotifyTrigger.Name}) is disabled for this run");
        return NotifyTrigger.Off;
    }

    internal static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<string> ServerVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SHOW server_version");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Starts the producer and samples its CPU as soon as its first batch is stored: what it spent before that is
    /// start-up (runtime, JIT, configuration, migrations check), not work on tasks.
    /// </summary>
    internal static async Task<ResourceUsage> StartProducerAsync(BenchmarkApp app, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var starting = app.StartAsync(BenchmarkApp.ProducerResource, cancellationToken);
        while (await ScalarAsync(dataSource, "SELECT EXISTS (SELECT FROM tasks)::int", cancellationToken) == 0)
        {
            if (starting.IsFaulted || starting.IsCanceled)
            {
                await starting;
            }

            await Task.Delay(FirstTaskPollInterval, cancellationToken);
        }

        var usage = ResourceUsage.Sample(app.Processes(BenchmarkApp.ProducerResource));
        await starting;
        return usage;
    }

    /// <summary>
    /// Polls the database until <paramref name="tasks"/> tasks exist and all are done. The frequent check is whether any
    /// task is received or processing; only when none is are all rows counted, at most once a second.
    /// </summary>
    private async Task WaitUntilAllDoneAsync(
        BenchmarkApp app, NpgsqlDataSource dataSource, long tasks, TimeSpan timeout, string label, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var lastFullCount = DateTime.MinValue;
        var lastProgress = started;
        (long Total, long Done) counts = (0, 0);
        while (true)
        {
            var now = DateTime.UtcNow;
            if (now - started > timeout)
            {
                throw new BenchmarkException(
                    $"{label} not all tasks were done after {timeout.TotalSeconds:0} s (last count: {counts.Done} done of {counts.Total} stored, {tasks} expected)",
                    app.Tails());
            }

            // EXISTS stops at the first row of either partial index: polling costs the server next to nothing, where
            // counting a backlog of tens of thousands ten times a second would cost it a good part of a core.
            var pending = await ScalarAsync(
                dataSource,
                "SELECT (EXISTS (SELECT FROM tasks WHERE state = 'received') OR EXISTS (SELECT FROM tasks WHERE state = 'processing'))::int",
                cancellationToken);
            if (pending == 0 && now - lastFullCount >= FullCountInterval)
            {
                lastFullCount = now;
                counts = await CountAsync(dataSource, cancellationToken);
                if (counts.Total >= tasks)
                {
                    if (counts.Done == counts.Total)
                    {
                        return;
                    }

                    throw new BenchmarkException(
                        $"{label} {counts.Total - counts.Done} of {counts.Total} tasks ended other than done (failed or canceled)", app.Tails());
                }
            }

            if (now - lastProgress >= ProgressInterval)
            {
                lastProgress = now;
                // The server's statistics lag by up to a second, which is good enough to show that things move.
                var stored = await ScalarAsync(dataSource, "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname = 'tasks'", cancellationToken);
                await Progress.WriteLineAsync($"{label} {(now - started).TotalSeconds:0} s: about {stored:N0} of {tasks:N0} tasks stored");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static async Task<(long Total, long Done)> CountAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*), count(*) FILTER (WHERE state = 'done') FROM tasks");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    internal static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static BenchmarkReport Report(
        BenchmarkRun run, TaskStatistics statistics, TaskStatistics? ceiling, ResourceUsage start, ResourceUsage end, BenchmarkSettingsReport settings,
        ReferenceFigures? reference = null)
    {
        var tasks = statistics.Done;
        double? CpuPer1000(string resource) => end.Cpu.ContainsKey(resource)
            ? Math.Round(end.CpuSince(start, resource).TotalMilliseconds * 1000 / Math.Max(tasks, 1), 1)
            : null;
        double? PeakMb(string resource) => end.PeakRss.TryGetValue(resource, out var bytes) ? Math.Round(bytes / 1024d / 1024d, 1) : null;

        var isCeiling = run.Kind == BenchmarkWorkload.Ceiling;
        var cpu = new ResourceFigures(
            isCeiling ? null : CpuPer1000(BenchmarkApp.ProducerResource),
            isCeiling ? null : CpuPer1000(BenchmarkApp.ConsumerResource),
            CpuPer1000(BenchmarkApp.PostgresResource));
        return new BenchmarkReport
        {
            Workload = run.Name,
            Tasks = tasks,
            Seconds = Math.Round(statistics.Seconds, 3),
            TasksPerSecond = Math.Round(statistics.TasksPerSecond),
            CeilingTasksPerSecond = ceiling is null ? null : Math.Round(ceiling.TasksPerSecond),
            CeilingRatio = ceiling is { TasksPerSecond: > 0 } ? Math.Round(statistics.TasksPerSecond / ceiling.TasksPerSecond, 3) : null,
            LatencyMs = statistics.Latency,
            LatencyBeyondDelayMs = statistics.LatencyBeyondDelay,
            LatencyCdfMs = statistics.LatencyCdf,
            LatencyBeyondDelayCdfMs = statistics.LatencyBeyondDelayCdf,
            Timeline = statistics.Timeline,
            CpuMsPer1000Tasks = cpu,
            HostCpuMsPer1000Tasks = null,
            PeakRssMb = new ResourceFigures(
                isCeiling ? null : PeakMb(BenchmarkApp.ProducerResource),
                isCeiling ? null : PeakMb(BenchmarkApp.ConsumerResource),
                PeakMb(BenchmarkApp.PostgresResource)),
            Reference = reference,
            CostRatio = reference is { CpuMicrosecondsPerTask: > 0 } ? Math.Round(cpu.Sum() / reference.CpuMicrosecondsPerTask, 3) : null,
            Settings = settings,
        };
    }

    private static double HostCpuPer1000(Dictionary<string, TimeSpan> start, Dictionary<string, TimeSpan> end, string group, long tasks) =>
        Math.Round((end.GetValueOrDefault(group) - start.GetValueOrDefault(group)).TotalMilliseconds * 1000 / Math.Max(tasks, 1), 1);

    internal static BenchmarkSettingsReport Settings(
        BenchmarkRun run,
        BenchmarkApp app,
        AppHostArguments arguments,
        string synchronousCommit,
        string serverVersion,
        DateTimeOffset date,
        double load,
        bool ceiling,
        List<string> warnings)
    {
        var producer = ServiceSettings.Read(app.ProjectPaths[BenchmarkApp.ProducerResource], "Producer", arguments.SettingsOf(BenchmarkApp.ProducerResource));
        var consumer = ServiceSettings.Read(app.ProjectPaths[BenchmarkApp.ConsumerResource], "Consumer", arguments.SettingsOf(BenchmarkApp.ConsumerResource));
        var isCeiling = run.Kind == BenchmarkWorkload.Ceiling;
        return new BenchmarkSettingsReport
        {
            Consumers = isCeiling ? 0 : run.Consumers,
            Producers = isCeiling ? 0 : 1,
            Rate = isCeiling ? 0 : double.Parse(producer.GetValueOrDefault("Producer:Rate", "0"), CultureInfo.InvariantCulture),
            DelayPerValueMs = isCeiling ? 0 : DelayPerValue(app, arguments).TotalMilliseconds,
            SynchronousCommit = synchronousCommit,
            ProducerBatchSize = isCeiling ? 0 : int.Parse(producer.GetValueOrDefault("Producer:BatchSize", "0"), CultureInfo.InvariantCulture),
            ConsumerMaxBatchSize = isCeiling ? 0 : int.Parse(consumer.GetValueOrDefault("Consumer:MaxBatchSize", "0"), CultureInfo.InvariantCulture),
            Ceiling = ceiling ? new CeilingSettings(CeilingBenchmark.BatchSize, CeilingBenchmark.Connections) : null,
            Producer = isCeiling ? new SortedDictionary<string, string>() : producer,
            Consumer = isCeiling ? new SortedDictionary<string, string>() : consumer,
            Environment = BenchmarkApp.ServiceEnvironment,
            Build = BuildInfo.Configuration,
            Commit = BuildInfo.Commit,
            Date = date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Machine = new MachineSettings(Environment.ProcessorCount, load, serverVersion, BuildInfo.Runtime, BuildInfo.Os),
            Warnings = warnings,
        };
    }

    private static TimeSpan DelayPerValue(BenchmarkApp app, AppHostArguments arguments)
    {
        var consumer = ServiceSettings.Read(app.ProjectPaths[BenchmarkApp.ConsumerResource], "Consumer", arguments.SettingsOf(BenchmarkApp.ConsumerResource));
        return consumer.TryGetValue("Consumer:DelayPerValue", out var text) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var delay)
            ? delay
            : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>
    /// Aspire runs each service with <c>dotnet run --configuration …</c> of the AppHost's build: a service built otherwise
    /// than this benchmark is said so (read from the wrapper's command line).
    /// </summary>
    internal static IEnumerable<string> ServiceBuildWarnings(BenchmarkApp app)
    {
        foreach (var (resource, pid) in app.Processes(BenchmarkApp.ProducerResource, BenchmarkApp.ConsumerResource).DistinctBy(p => p.Resource))
        {
            var commandLine = ProcFs.ReadCommandLine(pid);
            var index = commandLine.ToList().FindIndex(argument => argument is "-c" or "--configuration");
            if (index >= 0 && index + 1 < commandLine.Count && !string.Equals(commandLine[index + 1], BuildInfo.Configuration, StringComparison.OrdinalIgnoreCase))
            {
                yield return $"{resource} ran as a {commandLine[index + 1]} build, the benchmark as {BuildInfo.Configuration}";
            }
        }
    }

    internal List<string> Warnings(double load)
    {
        var warnings = new List<string>();
        if (!BuildInfo.IsRelease)
        {
            warnings.Add($"{BuildInfo.Configuration} build: not representative; use -c Release");
        }

        if (load > Environment.ProcessorCount / 2.0)
        {
            warnings.Add($"the machine was busy when the run started (load average {load.ToString("0.00", CultureInfo.InvariantCulture)} on {Environment.ProcessorCount} cores)");
        }

        if (options.UnsafeCommit)
        {
            warnings.Add("synchronous_commit = off: a crash may lose the last commits; not the durable headline");
        }

        if (options.NotifyTriggerOff)
        {
            warnings.Add($"the completion NOTIFY trigger ({NotifyTrigger.Name}) was disabled: the notification stream heard nothing");
        }

        if (options.Telemetry)
        {
            warnings.Add("telemetry on: the services export traces, metrics and logs to the Aspire dashboard over OTLP");
        }

        return warnings;
    }

    internal void DeleteStateDirectory(string path)
    {
        if (options.StateDirectory is not null)
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Progress.WriteLine($"note: could not delete {path}: {exception.Message}");
        }
    }

    internal static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    internal sealed record BenchmarkRun(string Name, BenchmarkWorkload Kind, int Consumers, long Tasks);
}
