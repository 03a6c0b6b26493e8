using System.Globalization;
using System.Text;

namespace TaskPipeline.Tests.Support;

/// <summary>A reader of the Prometheus text exposition format, enough to check what the services expose.</summary>
internal static class PrometheusText
{
    public static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(HttpClient client, Uri metricsUrl, CancellationToken cancellationToken)
    {
        var text = await client.GetStringAsync(metricsUrl, cancellationToken);
        return Parse(text);
    }

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseLine(line));
        }

        return samples;
    }

    /// <summary>Sum of a metric's samples, grouped by one label (e.g. task_type).</summary>
    public static Dictionary<string, double> SumBy(IEnumerable<PrometheusSample> samples, string metric, string label)
    {
        var sums = new Dictionary<string, double>();
        foreach (var sample in samples.Where(s => s.Name == metric))
        {
            var key = sample.Label(label) ?? string.Empty;
            sums[key] = sums.GetValueOrDefault(key) + sample.Value;
        }

        return sums;
    }

    private static PrometheusSample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>();
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        string name;
        int rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            rest = ParseLabels(line, brace + 1, labels);
        }
        else
        {
            name = line[..space];
            rest = space;
        }

        var fields = line[rest..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var value = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var number => double.Parse(number, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, value);
    }

    private static int ParseLabels(string line, int position, Dictionary<string, string> labels)
    {
        while (line[position] != '}')
        {
            var equals = line.IndexOf('=', position);
            var labelName = line[position..equals].Trim().TrimStart(',').Trim();
            position = equals + 2; // past ="
            var value = new StringBuilder();
            while (line[position] != '"')
            {
                if (line[position] == '\\')
                {
                    position++;
                    value.Append(line[position] == 'n' ? '\n' : line[position]);
                }
                else
                {
                    value.Append(line[position]);
                }

                position++;
            }

            labels[labelName] = value.ToString();
            position++; // past closing quote
            if (line[position] == ',')
            {
                position++;
            }
        }

        return position + 1;
    }
}
