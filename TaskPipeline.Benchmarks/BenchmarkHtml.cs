using System.Globalization;
using System.Net;
using System.Text;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The report as one self-contained HTML page (inline CSS and SVG, nothing fetched): per run, throughput over time
/// beside the ceiling, the latency distribution as a CDF, CPU per task per process, and a summary table of all runs.
/// </summary>
internal static class BenchmarkHtml
{
    private const int Width = 560;
    private const int Height = 260;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 28;
    private const int Bottom = 44;

    internal const string ProducerColor = "#2563eb";
    internal const string ConsumerColor = "#16a34a";
    internal const string PostgresColor = "#9333ea";
    internal const string CeilingColor = "#dc2626";
    internal const string BeyondColor = "#ea580c";

    internal const string Style = """
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #111827; background: #fff; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
        .meta { color: #4b5563; margin: 0 0 16px; }
        table { border-collapse: collapse; margin: 8px 0 16px; }
        th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px; text-align: right; white-space: nowrap; }
        th:first-child, td:first-child { text-align: left; }
        th { background: #f3f4f6; font-weight: 600; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; }
        figure { margin: 0; border: 1px solid #e5e7eb; border-radius: 6px; padding: 6px; }
        svg text { font: 11px system-ui, sans-serif; fill: #374151; }
        svg .title { font-size: 13px; font-weight: 600; fill: #111827; }
        .warn { color: #b45309; }
        </style>
        """;

    /// <summary>Every report page's start: the document, its title and style, and the opened body.</summary>
    internal static string Head(string title) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Text(title)}</title>
        {Style}
        </head>
        <body>

        """;

    public static string Render(IReadOnlyList<BenchmarkReport> reports)
    {
        var html = new StringBuilder();
        var first = reports[0].Settings;
        html.Append(Head($"TaskPipeline benchmark, {first.Date}"));
        html.Append(CultureInfo.InvariantCulture, $$"""
            <h1>TaskPipeline benchmark</h1>
            <p class="meta">{{Text(first.Date)}} · commit {{Text(Short(first.Commit))}} · {{Text(first.Build)}} build ·
            {{first.Machine.Processors}} processors · PostgreSQL {{Text(first.Machine.Postgres)}} · {{Text(first.Machine.Runtime)}} ·
            synchronous_commit {{Text(first.SynchronousCommit)}}</p>

            """);
        AppendSummary(html, reports);
        for (var i = 0; i < reports.Count; i++)
        {
            AppendRun(html, reports[i], i + 1);
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, IReadOnlyList<BenchmarkReport> reports)
    {
        html.Append("""
            <table>
            <tr><th>Run</th><th>Consumers</th><th>Tasks</th><th>Tasks/s</th><th>Ceiling/s</th><th>Ratio</th>
            <th>Beyond delay p50 / p99 / p99.9 ms</th><th>CPU µs/task P / C / PG</th><th>Peak RSS MB P / C / PG</th></tr>

            """);
        for (var i = 0; i < reports.Count; i++)
        {
            var r = reports[i];
            var beyond = r.LatencyBeyondDelayMs;
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{i + 1}. {Text(r.Workload)}</td><td>{r.Settings.Consumers}</td><td>{r.Tasks:N0}</td><td>{r.TasksPerSecond:N0}</td>
                <td>{Number(r.CeilingTasksPerSecond, "N0")}</td><td>{Number(r.CeilingRatio, "0.00")}</td>
                <td>{beyond.P50:0.0} / {beyond.P99:0.0} / {beyond.P999:0.0}</td>
                <td>{Number(r.CpuMsPer1000Tasks.Producer, "0.0")} / {Number(r.CpuMsPer1000Tasks.Consumer, "0.0")} / {Number(r.CpuMsPer1000Tasks.Postgres, "0.0")}</td>
                <td>{Number(r.PeakRssMb.Producer, "0")} / {Number(r.PeakRssMb.Consumer, "0")} / {Number(r.PeakRssMb.Postgres, "0")}</td></tr>

                """);
        }

        html.Append("</table>\n");
    }

    private static void AppendRun(StringBuilder html, BenchmarkReport report, int number)
    {
        var settings = report.Settings;
        var rate = settings.Rate > 0 ? $"{settings.Rate:N0} tasks/s offered" : "unlimited rate";
        html.Append(CultureInfo.InvariantCulture, $"<h2>{number}. {Text(report.Workload)}: {settings.Consumers} consumer(s), {rate}, {report.Tasks:N0} tasks in {report.Seconds:0.0} s</h2>\n");
        foreach (var warning in settings.Warnings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">⚠ {Text(warning)}</p>\n");
        }

        html.Append("<div class=\"charts\">\n");

        var timeline = report.Timeline;
        var points = timeline.TasksPerSecond.Select((value, i) => (X: (i + 0.5) * timeline.BucketSeconds, Y: value)).ToArray();
        List<(string Name, string Color, double Value)> references = [("mean " + report.TasksPerSecond.ToString("N0", CultureInfo.InvariantCulture), ProducerColor, report.TasksPerSecond)];
        if (report.CeilingTasksPerSecond is { } ceiling)
        {
            references.Add(("ceiling " + ceiling.ToString("N0", CultureInfo.InvariantCulture), CeilingColor, ceiling));
        }

        html.Append(LineChart("Throughput over time", "seconds", "tasks/s", [("done per second", ConsumerColor, points)], [.. references], yFromZero: true));

        var cdf = Cdf(report.LatencyCdfMs);
        var beyond = Cdf(report.LatencyBeyondDelayCdfMs);
        html.Append(LineChart(
            "Latency distribution (CDF)",
            "milliseconds",
            "% of tasks",
            settings.DelayPerValueMs > 0 ? [("created → done", ProducerColor, cdf), ("beyond own delay", BeyondColor, beyond)] : [("created → done", ProducerColor, cdf)],
            [],
            yFromZero: true));

        html.Append(BarChart("CPU per task (µs)", [
            ("Producer", ProducerColor, report.CpuMsPer1000Tasks.Producer),
            ("Consumer", ConsumerColor, report.CpuMsPer1000Tasks.Consumer),
            ("PostgreSQL", PostgresColor, report.CpuMsPer1000Tasks.Postgres),
        ]));

        if (report.Reference is { } reference)
        {
            html.Append(BarChart($"CPU per task beside the naive reference (µs; cost ratio {Number(report.CostRatio, "0.00")}; reference latency p50 {reference.LatencyMs.P50:0.0} ms, p99 {reference.LatencyMs.P99:0.0} ms)", [
                ("pipeline", ConsumerColor, report.CpuMsPer1000Tasks.Sum()),
                ("reference", CeilingColor, reference.CpuMicrosecondsPerTask),
            ]));
        }

        if (report.CeilingTasksPerSecond is { } ceilingRate)
        {
            html.Append(BarChart("Throughput beside the ceiling (tasks/s)", [
                ("pipeline", ConsumerColor, report.TasksPerSecond),
                ("ceiling", CeilingColor, ceilingRate),
            ]));
        }

        html.Append("</div>\n");
    }

    /// <summary>(latency, percentile) points: x the latency at each whole percentile, y the percentile.</summary>
    private static (double X, double Y)[] Cdf(double[] latencies) => [.. latencies.Select((latency, percentile) => (latency, (double)percentile))];

    internal static string LineChart(
        string title,
        string xLabel,
        string yLabel,
        (string Name, string Color, (double X, double Y)[] Points)[] series,
        (string Name, string Color, double Value)[] references,
        bool yFromZero)
    {
        var all = series.SelectMany(s => s.Points).ToArray();
        var xMax = NiceCeiling(all.Length == 0 ? 1 : all.Max(p => p.X));
        var yMax = NiceCeiling(Math.Max(all.Length == 0 ? 1 : all.Max(p => p.Y), references.Length == 0 ? 0 : references.Max(r => r.Value)));
        var yMin = yFromZero ? 0 : all.Min(p => p.Y);
        var svg = Begin(title);
        Axes(svg, xLabel, yLabel, xMax, yMin, yMax);
        foreach (var (name, color, value) in references)
        {
            var y = Y(value, yMin, yMax);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"{color}\" stroke-dasharray=\"5 4\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - 4}\" y=\"{y - 4:0.#}\" text-anchor=\"end\" fill=\"{color}\">{Text(name)}</text>\n");
        }

        var legendX = Left + 8;
        foreach (var (name, color, points) in series)
        {
            var path = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X, xMax):0.#},{Y(p.Y, yMin, yMax):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{Top + 6}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{legendX + 14}\" y=\"{Top + 15}\">{Text(name)}</text>\n");
            legendX += 32 + (7 * name.Length);
        }

        return End(svg);
    }

    /// <summary>
    /// Lines on logarithmic axes (both), with a grid line at every power of ten: a cost that falls in proportion to the
    /// rate is a straight line, and a reference beside it shows at a glance where the pipeline costs more or less.
    /// </summary>
    internal static string LogLogChart(string title, string xLabel, string yLabel, (string Name, string Color, bool Dashed, (double X, double Y)[] Points)[] series)
    {
        var all = series.SelectMany(s => s.Points).Where(p => p.X > 0 && p.Y > 0).ToArray();
        var xMin = Math.Floor(Math.Log10(all.Length == 0 ? 1 : all.Min(p => p.X)));
        var xMax = Math.Max(xMin + 1, Math.Ceiling(Math.Log10(all.Length == 0 ? 10 : all.Max(p => p.X))));
        var yMin = Math.Floor(Math.Log10(all.Length == 0 ? 1 : all.Min(p => p.Y)));
        var yMax = Math.Max(yMin + 1, Math.Ceiling(Math.Log10(all.Length == 0 ? 10 : all.Max(p => p.Y))));
        double Px(double x) => Left + ((Width - Left - Right) * (Math.Log10(x) - xMin) / (xMax - xMin));
        double Py(double y) => Height - Bottom - ((Height - Top - Bottom) * (Math.Log10(y) - yMin) / (yMax - yMin));

        var svg = Begin(title);
        for (var power = yMin; power <= yMax; power++)
        {
            var y = Py(Math.Pow(10, power));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e5e7eb\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Tick(Math.Pow(10, power))}</text>\n");
        }

        for (var power = xMin; power <= xMax; power++)
        {
            var x = Px(Math.Pow(10, power));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#e5e7eb\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Tick(Math.Pow(10, power))}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Text(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Text(yLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#9ca3af\"/><line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#9ca3af\"/>\n");

        var legendY = Top + 6;
        foreach (var (name, color, dashed, points) in series)
        {
            var shown = points.Where(p => p.X > 0 && p.Y > 0).OrderBy(p => p.X).ToArray();
            var path = string.Join(' ', shown.Select(p => string.Create(CultureInfo.InvariantCulture, $"{Px(p.X):0.#},{Py(p.Y):0.#}")));
            var dash = dashed ? " stroke-dasharray=\"6 4\"" : string.Empty;
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{path}\"/>\n");
            foreach (var point in shown)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(point.X):0.#}\" cy=\"{Py(point.Y):0.#}\" r=\"3\" fill=\"{color}\"/>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right - 170}\" y=\"{legendY}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{Width - Right - 156}\" y=\"{legendY + 9}\">{Text(name)}</text>\n");
            legendY += 15;
        }

        return End(svg);
    }

    internal static string BarChart(string title, (string Name, string Color, double? Value)[] bars)
    {
        var present = bars.Where(bar => bar.Value is not null).ToArray();
        var max = NiceCeiling(present.Length == 0 ? 1 : present.Max(bar => bar.Value!.Value));
        var svg = Begin(title);
        Axes(svg, string.Empty, string.Empty, xMax: null, 0, max);
        var slot = (Width - Left - Right) / (double)Math.Max(present.Length, 1);
        for (var i = 0; i < present.Length; i++)
        {
            var (name, color, value) = present[i];
            var x = Left + (i * slot) + (slot * 0.2);
            var y = Y(value!.Value, 0, max);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{slot * 0.6:0.#}\" height=\"{Height - Bottom - y:0.#}\" fill=\"{color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot * 0.3):0.#}\" y=\"{y - 4:0.#}\" text-anchor=\"middle\">{value.Value.ToString(value.Value >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot * 0.3):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Text(name)}</text>\n");
        }

        return End(svg);
    }

    private static StringBuilder Begin(string title)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Text(title)}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{Left}\" y=\"16\">{Text(title)}</text>\n");
        return svg;
    }

    private static string End(StringBuilder svg) => svg.Append("</svg></figure>\n").ToString();

    /// <summary>The frame, five horizontal grid lines with their values, and the x axis's ticks when it has a scale.</summary>
    private static void Axes(StringBuilder svg, string xLabel, string yLabel, double? xMax, double yMin, double yMax)
    {
        for (var i = 0; i <= 5; i++)
        {
            var value = yMin + ((yMax - yMin) * i / 5);
            var y = Y(value, yMin, yMax);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e5e7eb\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Tick(value)}</text>\n");
        }

        if (xMax is { } max)
        {
            for (var i = 0; i <= 5; i++)
            {
                var value = max * i / 5;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(value, max):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Tick(value)}</text>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Text(xLabel)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Text(yLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#9ca3af\"/><line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#9ca3af\"/>\n");
    }

    private static double X(double value, double max) => Left + ((Width - Left - Right) * value / max);

    private static double Y(double value, double min, double max) => Height - Bottom - ((Height - Top - Bottom) * (value - min) / Math.Max(max - min, double.Epsilon));

    /// <summary>The smallest 1, 2 or 5 × 10ⁿ at least <paramref name="value"/>, so grid lines fall on round numbers.</summary>
    private static double NiceCeiling(double value)
    {
        if (!(value > 0))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in (double[])[1, 2, 5, 10])
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Tick(double value) =>
        value >= 10_000 ? (value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k" : value.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    internal static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;

    internal static string Text(string? value) => WebUtility.HtmlEncode(value ?? string.Empty);
}
