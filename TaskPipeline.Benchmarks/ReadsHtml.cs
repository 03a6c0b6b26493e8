using System.Globalization;
using System.Text;

namespace TaskPipeline.Benchmarks;

/// <summary>The reads report as one self-contained HTML page, drawn like the other workloads' (BenchmarkHtml's charts).</summary>
internal static class ReadsHtml
{
    public static string Render(ReadsReport report)
    {
        var settings = report.Settings;
        var html = new StringBuilder();
        html.Append(BenchmarkHtml.Head($"TaskPipeline benchmark: reads, {settings.Date}"));
        html.Append(CultureInfo.InvariantCulture, $$"""
            <h1>TaskPipeline benchmark: API reads on {{report.Rows:N0}} rows</h1>
            <p class="meta">{{BenchmarkHtml.Text(settings.Date)}} · commit {{BenchmarkHtml.Text(BenchmarkHtml.Short(settings.Commit))}} · {{BenchmarkHtml.Text(settings.Build)}} build ·
            {{settings.Machine.Processors}} processors · PostgreSQL {{BenchmarkHtml.Text(settings.Machine.Postgres)}} · table {{report.TableMb:N0}} MB ·
            seeded in {{report.SeedSeconds:0.0}} s ({{BenchmarkHtml.Text(string.Join(", ", report.SeededStates.Select(pair => $"{pair.Key} {pair.Value:N0}")))}}), VACUUM ANALYZE {{report.VacuumAnalyzeSeconds:0.0}} s</p>

            """);
        foreach (var warning in settings.Warnings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">⚠ {BenchmarkHtml.Text(warning)}</p>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <h2>Reads over HTTP ({report.WarmupCalls} warm-up calls each, then timed; target p99 ≤ {report.TargetP99Ms:0} ms)</h2>
            <table>
            <tr><th>Read</th><th>Request</th><th>Page</th><th>Calls</th><th>Rows</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>p99 ≤ {report.TargetP99Ms:0} ms</th></tr>

            """);
        foreach (var read in report.Reads)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{BenchmarkHtml.Text(read.Name)}</td><td>{BenchmarkHtml.Text(read.Path)}</td><td>{read.Page}</td><td>{read.Samples}</td>
                <td>{BenchmarkHtml.Number(read.Rows, "N0")}</td><td>{read.P50:0.0}</td><td>{read.P99:0.0}</td><td>{read.Max:0.0}</td><td>{(read.MeetsTarget ? "✔" : "✘")}</td></tr>

                """);
        }

        var dashboard = report.Dashboard;
        html.Append(CultureInfo.InvariantCulture, $"""
            </table>
            <h2>An open task dashboard tab (overview page: /api/stats and /api/pipeline every 2 s, notification stream open)</h2>
            <table>
            <tr><th>Window</th><th>Refreshes</th><th>Refresh p50 / p99 ms</th><th>PostgreSQL idle, % of a core</th><th>With the tab</th><th>The tab's cost</th><th>≤ 1 %</th></tr>
            <tr><td>{dashboard.Seconds:0} s</td><td>{dashboard.Refreshes}</td><td>{dashboard.RefreshP50Ms:0.0} / {dashboard.RefreshP99Ms:0.0}</td>
            <td>{dashboard.IdlePercentOfCore:0.00}</td><td>{dashboard.TabPercentOfCore:0.00}</td><td>{dashboard.CostPercentOfCore:0.00}</td><td>{(dashboard.MeetsTarget ? "✔" : "✘")}</td></tr>
            </table>
            <div class="charts">

            """);
        var timed = report.Reads.Where(read => read.Samples > 1).ToList();
        html.Append(BenchmarkHtml.BarChart("p99 per read (ms)", [.. timed.Select(read => (Abbreviate(read.Name), read.MeetsTarget ? BenchmarkHtml.ConsumerColor : BenchmarkHtml.CeilingColor, (double?)read.P99))]));
        html.Append(BenchmarkHtml.BarChart("PostgreSQL, % of one core", [
            ("idle", BenchmarkHtml.ProducerColor, dashboard.IdlePercentOfCore),
            ("with tab", BenchmarkHtml.PostgresColor, dashboard.TabPercentOfCore),
            ("tab's cost", dashboard.MeetsTarget ? BenchmarkHtml.ConsumerColor : BenchmarkHtml.CeilingColor, dashboard.CostPercentOfCore),
        ]));
        html.Append("</div>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>A bar's label has room for a few characters: "tasks?state=failed&amp;type=3 page 5" becomes "failed&amp;3 p5".</summary>
    private static string Abbreviate(string name) => name
        .Replace("tasks?", string.Empty, StringComparison.Ordinal)
        .Replace("state=", string.Empty, StringComparison.Ordinal)
        .Replace("type=", "t", StringComparison.Ordinal)
        .Replace(" page ", " p", StringComparison.Ordinal)
        .Replace("processing", "proc", StringComparison.Ordinal)
        .Replace("received", "recv", StringComparison.Ordinal)
        .Replace("canceled", "canc", StringComparison.Ordinal)
        .Replace("pipeline", "pipe", StringComparison.Ordinal);
}
