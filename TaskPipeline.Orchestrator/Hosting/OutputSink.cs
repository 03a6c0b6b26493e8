namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// The AppHost's console: every child's lines prefixed with its resource and replica (<c>consumer-1 | …</c>), padded to
/// one column, coloured per resource on a terminal, with known secrets masked.
/// </summary>
internal sealed class OutputSink
{
    public const string AppHostLabel = "apphost";

    private const string Reset = "\e[0m";

    private readonly TextWriter? writer;
    private readonly bool color;
    private readonly Lock gate = new();
    private readonly List<string> secrets = [];
    private int labelWidth;

    public OutputSink(TextWriter? writer, IEnumerable<string> labels)
    {
        this.writer = writer;
        color = writer is not null
            && ReferenceEquals(writer, Console.Out)
            && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        labelWidth = labels.Append(AppHostLabel).Max(label => label.Length);
    }

    public bool IsEnabled => writer is not null;

    /// <summary>Never print this value (the database password); lines are masked before they are printed or kept.</summary>
    public void AddSecret(string secret)
    {
        if (secret.Length >= 4)
        {
            lock (gate)
            {
                secrets.Add(secret);
            }
        }
    }

    public string Mask(string line)
    {
        lock (gate)
        {
            foreach (var secret in secrets)
            {
                line = line.Replace(secret, "****", StringComparison.Ordinal);
            }
        }

        return line;
    }

    public void WriteLine(string label, string line)
    {
        if (writer is null)
        {
            return;
        }

        lock (gate)
        {
            labelWidth = Math.Max(labelWidth, label.Length);
            var prefix = label.PadRight(labelWidth);
            if (color)
            {
                writer.WriteLine($"{ColorOf(label)}{prefix} |{Reset} {line}");
            }
            else
            {
                writer.WriteLine($"{prefix} | {line}");
            }

            writer.Flush();
        }
    }

    /// <summary>Writes unprefixed text (the resource table, notices).</summary>
    public void WriteBlock(string text)
    {
        if (writer is null)
        {
            return;
        }

        lock (gate)
        {
            writer.Write(Mask(text));
            writer.Flush();
        }
    }

    // The resource name, not the replica, picks the colour: all consumers look alike.
    private static string ColorOf(string label)
    {
        var dash = label.LastIndexOf('-');
        return (dash > 0 ? label[..dash] : label) switch
        {
            AppHostLabel => "\e[1m",
            PipelineOptions.PostgresResource => "\e[34m",
            PipelineOptions.ConsumerResource => "\e[36m",
            PipelineOptions.ProducerResource => "\e[33m",
            PipelineOptions.PrometheusResource => "\e[31m",
            _ => "\e[35m",
        };
    }
}
