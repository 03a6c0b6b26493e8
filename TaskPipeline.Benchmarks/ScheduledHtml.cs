using System.Globalization;
using System.Text;

namespace TaskPipeline.Benchmarks;

/// <summary>The scheduled report as one self-contained HTML page: due-to-processing latency and CPU per task.</summary>
internal static class ScheduledHtml
{
    public static string Render(ScheduledReport report)
    {
        var settings = report.Settings;
        var latency = report.DueToProcessingMs;
        var html = new StringBuilder();
        html.Append(BenchmarkHtml.Head($"TaskPipeline benchmark: scheduled, {settings.Date}"));
        html.Append(CultureInfo.InvariantCulture, $$"""
            <h1>TaskPipeline benchmark: scheduled</h1>
            <p class="meta">{{BenchmarkHtml.Text(settings.Date)}} · commit {{BenchmarkHtml.Text(BenchmarkHtml.Short(settings.Commit))}} · {{BenchmarkHtml.Text(settings.Build)}} build ·
            {{settings.Machine.Processors}} processors · PostgreSQL {{BenchmarkHtml.Text(settings.Machine.Postgres)}} · {{settings.Consumers}} consumers</p>

            """);
        foreach (var warning in settings.Warnings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">⚠ {BenchmarkHtml.Text(warning)}</p>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <p>{report.Tasks:N0} delayed tasks due evenly over {report.SpreadSeconds:0} s ({report.DuePerSecond:N0} due per second).
            From due time to processing: p50 {latency.P50:0.0} ms, p95 {latency.P95:0.0} ms, p99 {latency.P99:0.0} ms,
            p99.9 {latency.P999:0.0} ms, max {latency.Max:0.0} ms; {report.ClaimedEarly} claimed before due.</p>
            <div class="charts">
            """);
        html.Append(BenchmarkHtml.BarChart("Due to processing, ms", [
            ("p50", BenchmarkHtml.ProducerColor, latency.P50),
            ("p95", BenchmarkHtml.ProducerColor, latency.P95),
            ("p99", BenchmarkHtml.ConsumerColor, latency.P99),
            ("p99.9", BenchmarkHtml.PostgresColor, latency.P999),
        ]));
        html.Append(BenchmarkHtml.BarChart("CPU µs per task", [
            ("producer", BenchmarkHtml.ProducerColor, report.CpuMicrosecondsPerTask.GetValueOrDefault(BenchmarkApp.ProducerResource)),
            ("consumers", BenchmarkHtml.ConsumerColor, report.CpuMicrosecondsPerTask.GetValueOrDefault(BenchmarkApp.ConsumerResource)),
            ("postgres", BenchmarkHtml.PostgresColor, report.CpuMicrosecondsPerTask.GetValueOrDefault(BenchmarkApp.PostgresResource)),
        ]));
        html.Append("</div>\n</body>\n</html>\n");
        return html.ToString();
    }
}
