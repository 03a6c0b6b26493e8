using System.Globalization;
using System.Text;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The cost curve as one self-contained HTML page: CPU per task against the rate on log–log axes, the pipeline beside
/// the naive reference (and with telemetry, when measured), the figures behind it, and the idle runs.
/// </summary>
internal static class CurveHtml
{
    private const string TelemetryColor = "#0891b2";

    public static string Render(CurveReport report)
    {
        var first = report.Runs.Count > 0 ? report.Runs[0].Settings : report.Idle[0].Settings;
        var html = new StringBuilder();
        html.Append(BenchmarkHtml.Head($"TaskPipeline benchmark: cost curve, {first.Date}"));
        html.Append(CultureInfo.InvariantCulture, $$"""
            <h1>TaskPipeline benchmark: the cost curve</h1>
            <p class="meta">{{BenchmarkHtml.Text(first.Date)}} · commit {{BenchmarkHtml.Text(BenchmarkHtml.Short(first.Commit))}} · {{BenchmarkHtml.Text(first.Build)}} build ·
            {{first.Machine.Processors}} processors · PostgreSQL {{BenchmarkHtml.Text(first.Machine.Postgres)}} · {{first.Consumers}} consumers · synchronous_commit {{BenchmarkHtml.Text(first.SynchronousCommit)}}</p>
            <p>CPU per task of the whole pipeline (Producer + Consumers + PostgreSQL) at each rate, beside the naive design measured in
            the same run on the same server: one row per task, three statements and three commits, paced at the same rate.
            A cost ratio below 1 means the pipeline spends less per task than the naive design.</p>

            """);
        foreach (var warning in report.Runs.SelectMany(run => run.Settings.Warnings).Concat(report.Idle.SelectMany(idle => idle.Settings.Warnings)).Distinct())
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">⚠ {BenchmarkHtml.Text(warning)}</p>\n");
        }

        (double X, double Y)[] Points(IEnumerable<BenchmarkReport> runs, Func<BenchmarkReport, double?> figure) =>
            [.. runs.Where(run => figure(run) is > 0).Select(run => (run.Settings.Rate, figure(run)!.Value))];
        var plain = report.Runs.Where(run => !run.Settings.Telemetry).ToList();
        var withTelemetry = report.Runs.Where(run => run.Settings.Telemetry).ToList();
        var series = new List<(string, string, bool, (double, double)[])>
        {
            ("pipeline", BenchmarkHtml.ProducerColor, false, Points(plain, run => run.CpuMsPer1000Tasks.Sum())),
            ("naive reference", BenchmarkHtml.CeilingColor, true, Points(plain, run => run.Reference?.CpuMicrosecondsPerTask)),
        };
        if (withTelemetry.Count > 0)
        {
            series.Insert(1, ("pipeline, telemetry on", TelemetryColor, false, Points(withTelemetry, run => run.CpuMsPer1000Tasks.Sum())));
            series.Add(("reference (telemetry run)", BenchmarkHtml.BeyondColor, true, Points(withTelemetry, run => run.Reference?.CpuMicrosecondsPerTask)));
        }

        html.Append("<div class=\"charts\">\n");
        html.Append(BenchmarkHtml.LogLogChart("CPU per task against the rate", "tasks per second", "CPU µs per task", [.. series]));
        html.Append("</div>\n");

        html.Append("""
            <table>
            <tr><th>Rate</th><th>Telemetry</th><th>Producer µs</th><th>Consumers µs</th><th>PostgreSQL µs</th><th>Pipeline µs</th><th>Reference µs</th><th>Cost ratio</th>
            <th>Share of a core</th><th>Beyond-delay p99 / p99.9 ms</th><th>DCP / dashboard / AppHost µs</th></tr>

            """);
        foreach (var run in report.Runs)
        {
            var cpu = run.CpuMsPer1000Tasks;
            var host = run.HostCpuMsPer1000Tasks;
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{run.Settings.Rate:N0}/s</td><td>{(run.Settings.Telemetry ? "on" : "off")}</td><td>{BenchmarkHtml.Number(cpu.Producer, "N0")}</td><td>{BenchmarkHtml.Number(cpu.Consumer, "N0")}</td>
                <td>{BenchmarkHtml.Number(cpu.Postgres, "N0")}</td><td>{cpu.Sum():N0}</td><td>{BenchmarkHtml.Number(run.Reference?.CpuMicrosecondsPerTask, "N0")}</td><td>{BenchmarkHtml.Number(run.CostRatio, "0.00")}</td>
                <td>{cpu.Sum() * run.TasksPerSecond / 1e4:0.##} %</td><td>{run.LatencyBeyondDelayMs.P99:0.0} / {run.LatencyBeyondDelayMs.P999:0.0}</td>
                <td>{BenchmarkHtml.Number(host?.Dcp, "N0")} / {BenchmarkHtml.Number(host?.Dashboard, "N0")} / {BenchmarkHtml.Number(host?.Apphost, "N0")}</td></tr>

                """);
        }

        html.Append("""
            </table>
            <h2>Idle: the app up with nothing to do</h2>
            <table>
            <tr><th>Telemetry</th><th>Seconds</th><th>Producer %</th><th>Consumers %</th><th>PostgreSQL %</th><th>Pipeline %</th><th>DCP %</th><th>Dashboard %</th><th>AppHost %</th></tr>

            """);
        foreach (var idle in report.Idle)
        {
            var cores = idle.CorePercent;
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{(idle.Settings.Telemetry ? "on" : "off")}</td><td>{idle.Seconds:0}</td><td>{cores.Producer:0.###}</td><td>{cores.Consumer:0.###}</td><td>{cores.Postgres:0.###}</td>
                <td>{idle.PipelineCorePercent:0.###}</td><td>{cores.Dcp:0.###}</td><td>{BenchmarkHtml.Number(cores.Dashboard, "0.###")}</td><td>{cores.Apphost:0.###}</td></tr>

                """);
        }

        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }
}
