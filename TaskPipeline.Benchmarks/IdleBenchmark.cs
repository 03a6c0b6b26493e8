using System.Diagnostics;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The idle workload: the app as a user starts it (default settings; the Producer makes one task and stops making
/// more), and once that task is done and <see cref="Settle"/> has passed, every process's CPU over --seconds: the
/// services, PostgreSQL, DCP, the dashboard (with --telemetry) and the AppHost. What wakes while there is no work is
/// what a deployment pays around the clock.
/// </summary>
internal sealed class IdleBenchmark(BenchmarkRunner runner, BenchmarkOptions options)
{
    /// <summary>Start-up work (the first backlog counts, the first metrics export, the relay's first reads) ends within this.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    private TextWriter Progress => options.Progress;

    public async Task<IdleReport> RunAsync(CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var load = BuildInfo.LoadAverage();
        const string label = "[idle]";
        var run = new BenchmarkRunner.BenchmarkRun("idle", BenchmarkWorkload.Idle, options.Consumers, 1);
        var arguments = runner.UserAppArguments();
        await Progress.WriteLineAsync($"{label} starting PostgreSQL and the consumers through Aspire ({arguments.StateDirectory})");
        try
        {
            await using var app = await runner.StartAppAsync(arguments, options.Consumers, cancellationToken);
            await using var dataSource = BenchmarkRunner.OpenDataSource(app.ConnectionString);
            var synchronousCommit = await runner.ConfigureCommitAsync(dataSource, cancellationToken);
            await BenchmarkRunner.StartProducerAndAwaitItsTaskAsync(app, dataSource, cancellationToken);

            await Progress.WriteLineAsync($"{label} one task done; settling {Settle.TotalSeconds:0} s, then measuring {options.Seconds:0} s of nothing to do");
            await Task.Delay(Settle, cancellationToken);
            var start = HostCpu.Sample(app);
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            var end = HostCpu.Sample(app);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

            double Percent(string group) => Math.Round((end.GetValueOrDefault(group) - start.GetValueOrDefault(group)).TotalSeconds / seconds * 100, 3);
            var cores = new IdleCores(
                Percent(BenchmarkApp.ProducerResource),
                Percent(BenchmarkApp.ConsumerResource),
                Percent(BenchmarkApp.PostgresResource),
                Percent(HostCpu.Dcp),
                options.Telemetry ? Percent(HostCpu.Dashboard) : null,
                Percent(HostCpu.AppHost));
            var warnings = runner.Warnings(load);
            var settings = BenchmarkRunner.Settings(run, app, arguments, synchronousCommit, await BenchmarkRunner.ServerVersionAsync(dataSource, cancellationToken), date, load, false, warnings)
                with { Telemetry = options.Telemetry };
            await Progress.WriteLineAsync(
                $"{label} percent of a core: producer {cores.Producer}, consumers {cores.Consumer}, postgres {cores.Postgres} (pipeline {cores.Pipeline()});"
                + $" dcp {cores.Dcp}, dashboard {BenchmarkHtml.Number(cores.Dashboard, "0.###")}, apphost {cores.Apphost}");
            await Progress.WriteLineAsync($"{label} stopping");
            return new IdleReport
            {
                Workload = "idle",
                Seconds = Math.Round(seconds, 1),
                CorePercent = cores,
                PipelineCorePercent = cores.Pipeline(),
                Settings = settings,
            };
        }
        finally
        {
            runner.DeleteStateDirectory(arguments.StateDirectory);
        }
    }
}
