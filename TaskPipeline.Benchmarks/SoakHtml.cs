using System.Globalization;
using System.Text;

namespace TaskPipeline.Benchmarks;

/// <summary>The soak report as one self-contained HTML page: throughput, rows, size and read p99s over time.</summary>
internal static class SoakHtml
{
    private static readonly string[] ReadColors = [BenchmarkHtml.ProducerColor, BenchmarkHtml.BeyondColor, BenchmarkHtml.PostgresColor];

    public static string Render(SoakReport report)
    {
        var settings = report.Settings;
        var html = new StringBuilder();
        html.Append(BenchmarkHtml.Head($"TaskPipeline benchmark: soak, {settings.Date}"));
        html.Append(CultureInfo.InvariantCulture, $$"""
            <h1>TaskPipeline benchmark: soak with retention</h1>
            <p class="meta">{{BenchmarkHtml.Text(settings.Date)}} · commit {{BenchmarkHtml.Text(BenchmarkHtml.Short(settings.Commit))}} · {{BenchmarkHtml.Text(settings.Build)}} build ·
            {{settings.Machine.Processors}} processors · PostgreSQL {{BenchmarkHtml.Text(settings.Machine.Postgres)}} · {{settings.Consumers}} consumers ·
            {{(settings.Rate > 0 ? $"{settings.Rate:N0} tasks/s offered" : "unlimited rate")}} · NOTIFY trigger {{BenchmarkHtml.Text(settings.NotifyTrigger)}}</p>

            """);
        foreach (var warning in settings.Warnings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">⚠ {BenchmarkHtml.Text(warning)}</p>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <table>
            <tr><th>Run</th><th>Seconds</th><th>Tasks/s</th><th>Inserted</th><th>Deleted</th><th>Left</th><th>Ended exactly once</th></tr>

            """);
        foreach (var run in (SoakRun?[])[report.Run, report.Reference])
        {
            if (run is null)
            {
                continue;
            }

            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{(run.Retention is null ? "reference, no retention" : $"Retention:Done {BenchmarkHtml.Text(run.Retention)}")}</td><td>{run.Seconds:0}</td><td>{run.TasksPerSecond:N0}</td>
                <td>{run.Audit.Inserted:N0}</td><td>{run.Audit.Deleted:N0}</td><td>{run.Audit.Left:N0}</td><td>{(run.Audit.ExactlyOnce ? "✔" : "✘")}</td></tr>

                """);
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </table>
            <p>Throughput ratio (with ÷ without retention): {BenchmarkHtml.Number(report.ThroughputRatio, "0.00")}. After {report.SettleSeconds:0} s:
            exact row count spread {Percent(report.RowsSpread)}, size spread {Percent(report.SizeSpread)}: {(report.Flat ? "flat within 10 % ✔" : "not flat within 10 % ✘")}</p>

            """);
        AppendRun(html, report.Run, "with retention");
        if (report.Reference is { } reference)
        {
            AppendRun(html, reference, "reference, no retention");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendRun(StringBuilder html, SoakRun run, string title)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{BenchmarkHtml.Text(title)}</h2>\n<table>\n<tr><th>Read during the run</th><th>Calls</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr>\n");
        foreach (var read in run.ReadMs.Values)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{BenchmarkHtml.Text(read.Path)}</td><td>{read.Samples}</td><td>{read.P50:0.0}</td><td>{read.P99:0.0}</td><td>{read.Max:0.0}</td></tr>\n");
        }

        html.Append("</table>\n<div class=\"charts\">\n");
        var samples = run.Samples;
        html.Append(BenchmarkHtml.LineChart("Throughput", "seconds", "tasks/s",
            [("ended per second", BenchmarkHtml.ConsumerColor, [.. samples.Select(s => (s.Seconds, s.TasksPerSecond))])],
            [("mean " + run.TasksPerSecond.ToString("N0", CultureInfo.InvariantCulture), BenchmarkHtml.ProducerColor, run.TasksPerSecond)], yFromZero: true));
        html.Append(BenchmarkHtml.LineChart("Rows in tasks", "seconds", "rows",
            [
                ("estimate (n_live_tup)", BenchmarkHtml.ProducerColor, [.. samples.Select(s => (s.Seconds, (double)s.RowsEstimate))]),
                ("count(*)", BenchmarkHtml.CeilingColor, [.. samples.Where(s => s.RowsExact is not null).Select(s => (s.Seconds, (double)s.RowsExact!.Value))]),
            ],
            [], yFromZero: true));
        html.Append(BenchmarkHtml.LineChart("Table size (heap + indexes)", "seconds", "MB",
            [("pg_total_relation_size", BenchmarkHtml.PostgresColor, [.. samples.Select(s => (s.Seconds, s.TableMb))])], [], yFromZero: true));
        var names = run.ReadMs.Keys.ToList();
        html.Append(BenchmarkHtml.LineChart("Read p99 per 10 s window", "seconds", "ms",
            [.. names.Select((name, i) => (name, ReadColors[i % ReadColors.Length], samples.Select(s => (s.Seconds, s.ReadP99Ms.GetValueOrDefault(name))).ToArray()))],
            [("target 50 ms", BenchmarkHtml.CeilingColor, ReadsBenchmark.TargetP99Ms)], yFromZero: true));
        html.Append("</div>\n");
    }

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "–";
}
