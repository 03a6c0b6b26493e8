using System.Globalization;
using System.Text;

namespace TaskPipeline.Benchmarks;

/// <summary>The idle report as one self-contained HTML page: each process's share of a core, as bars.</summary>
internal static class IdleHtml
{
    public static string Render(IdleReport report)
    {
        var settings = report.Settings;
        var cores = report.CorePercent;
        var html = new StringBuilder();
        html.Append(BenchmarkHtml.Head($"TaskPipeline benchmark: idle, {settings.Date}"));
        html.Append(CultureInfo.InvariantCulture, $$"""
            <h1>TaskPipeline benchmark: idle</h1>
            <p class="meta">{{BenchmarkHtml.Text(settings.Date)}} · commit {{BenchmarkHtml.Text(BenchmarkHtml.Short(settings.Commit))}} · {{BenchmarkHtml.Text(settings.Build)}} build ·
            {{settings.Machine.Processors}} processors · PostgreSQL {{BenchmarkHtml.Text(settings.Machine.Postgres)}} · {{settings.Consumers}} consumers · {{report.Seconds:0}} s measured</p>

            """);
        foreach (var warning in settings.Warnings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">⚠ {BenchmarkHtml.Text(warning)}</p>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <p>The app up with nothing to do. The pipeline (Producer + Consumers + PostgreSQL) used {report.PipelineCorePercent:0.###} % of one core.</p>
            <div class="charts">
            """);
        html.Append(BenchmarkHtml.BarChart("Percent of one core, idle", [
            ("producer", BenchmarkHtml.ProducerColor, cores.Producer),
            ("consumers", BenchmarkHtml.ConsumerColor, cores.Consumer),
            ("postgres", BenchmarkHtml.PostgresColor, cores.Postgres),
            ("dcp", BenchmarkHtml.BeyondColor, cores.Dcp),
            ("dashboard", BenchmarkHtml.CeilingColor, cores.Dashboard),
            ("apphost", BenchmarkHtml.BeyondColor, cores.Apphost),
        ]));
        html.Append("</div>\n</body>\n</html>\n");
        return html.ToString();
    }
}
