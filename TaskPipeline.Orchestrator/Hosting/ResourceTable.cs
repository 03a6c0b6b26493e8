using System.Globalization;
using System.Text;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>The resource table printed once everything is up: NAME, REPLICA, STATE, PID, URLS (one URL a line).</summary>
internal static class ResourceTable
{
    private static readonly string[] Headers = ["NAME", "REPLICA", "STATE", "PID", "URLS"];

    public static string Format(IReadOnlyList<ResourceSnapshot> resources)
    {
        var rows = resources.Select(resource => new[]
        {
            resource.Name,
            resource.Replica.ToString(CultureInfo.InvariantCulture),
            resource.State.ToString(),
            resource.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
        }).ToList();
        var widths = Enumerable.Range(0, 4)
            .Select(column => rows.Select(row => row[column].Length).Append(Headers[column].Length).Max())
            .ToArray();
        var urlNameWidth = resources.SelectMany(resource => resource.Urls).Select(url => url.Name.Length).DefaultIfEmpty(0).Max();

        var table = new StringBuilder();
        table.AppendLine();
        AppendRow(table, widths, Headers[..4], Headers[4]);
        for (var i = 0; i < resources.Count; i++)
        {
            var urls = resources[i].Urls.Select(url => $"{url.Name.PadRight(urlNameWidth)}  {url.Url}").DefaultIfEmpty(string.Empty).ToList();
            AppendRow(table, widths, rows[i], urls[0]);
            foreach (var url in urls.Skip(1))
            {
                AppendRow(table, widths, ["", "", "", ""], url);
            }
        }

        table.AppendLine();
        return table.ToString();
    }

    private static void AppendRow(StringBuilder table, int[] widths, string[] cells, string url)
    {
        for (var column = 0; column < cells.Length; column++)
        {
            table.Append(cells[column].PadRight(widths[column])).Append("  ");
        }

        table.AppendLine(url.TrimEnd());
    }
}
