using System.Globalization;

namespace TaskPipeline.Deploy;

/// <summary>
/// <c>compose|kubernetes --output-path DIR [--image-registry R] [--image-tag T] [--consumers N] [--producers M]
/// [--replicas name=N] [--no-prometheus] [--scrape-interval 15s] [--otlp-endpoint URL] [--apphost DLL] [-- &lt;AppHost arguments&gt;]</c>.
/// </summary>
internal sealed class CommandLine
{
    public const string Usage = """
        usage: TaskPipeline.Deploy compose|kubernetes --output-path <dir|file.yaml> [options] [-- <AppHost arguments>]

        Runs the AppHost's manifest publisher (as azd does) and translates its manifest into
          compose     docker-compose.yaml, .env (generated password, kept on re-publish), prometheus.yml
          kubernetes  taskpipeline.yaml (Secret, PostgreSQL StatefulSet, Deployments and Services)

        options:
          --output-path <path>       a folder, or the .yaml file to write [default: .]
          --image-registry <r>       registry prefix of the service images [default: local images]
          --image-tag <t>            tag of the service images [default: latest]
          --consumers <n>            Consumer replicas [default: 2]
          --producers <n>            Producer replicas [default: 1]
          --replicas <name>=<n>      replicas of any project resource
          --no-prometheus            compose: no Prometheus service
          --scrape-interval <time>   compose: Prometheus' scrape interval, e.g. 15s or 00:00:15 [default: 15s]
          --otlp-endpoint <url>      an OTLP/gRPC collector the services export to [default: none]
          --apphost <dll>            the built AppHost to run [default: the one built with this tool]
          -- <args>                  passed to the AppHost, e.g. -- --consumer:Consumer:MaxConcurrency=32
        """;

    public DeployTarget Target { get; private init; }

    public string? OutputPath { get; private set; }

    public string? AppHost { get; private set; }

    public DeploymentSettings Settings { get; } = new();

    public List<string> AppHostArguments { get; } = [];

    /// <exception cref="ArgumentException">A bad command line; the message says what.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("compose" or "kubernetes"))
        {
            throw new ArgumentException("the first argument must be compose or kubernetes");
        }

        var command = new CommandLine { Target = args[0] == "compose" ? DeployTarget.Compose : DeployTarget.Kubernetes };
        for (var i = 1; i < args.Count; i++)
        {
            var option = args[i];
            if (option == "--")
            {
                command.AppHostArguments.AddRange(args.Skip(i + 1));
                break;
            }

            switch (option)
            {
                case "--no-prometheus":
                    command.Settings.Prometheus = false;
                    continue;
                case "--output-path":
                    command.OutputPath = Value(args, ref i);
                    break;
                case "--apphost":
                    command.AppHost = Value(args, ref i);
                    break;
                case "--image-registry":
                    command.Settings.ImageRegistry = Value(args, ref i);
                    break;
                case "--image-tag":
                    command.Settings.ImageTag = NotEmpty(option, Value(args, ref i));
                    break;
                case "--consumers":
                    command.Settings.Replicas["consumer"] = Count(option, Value(args, ref i));
                    break;
                case "--producers":
                    command.Settings.Replicas["producer"] = Count(option, Value(args, ref i));
                    break;
                case "--replicas":
                    var pair = Value(args, ref i).Split('=', 2);
                    command.Settings.Replicas[pair.Length == 2 ? NotEmpty(option, pair[0]) : throw new ArgumentException("--replicas takes <name>=<count>")] = Count(option, pair[1]);
                    break;
                case "--scrape-interval":
                    command.Settings.ScrapeInterval = Interval(option, Value(args, ref i));
                    break;
                case "--otlp-endpoint":
                    command.Settings.OtlpEndpoint = Uri.TryCreate(Value(args, ref i), UriKind.Absolute, out var otlp) ? otlp.OriginalString : throw new ArgumentException("--otlp-endpoint must be an absolute URL");
                    break;
                default:
                    throw new ArgumentException($"unknown option {option} (AppHost arguments go after --)");
            }
        }

        return command;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count && !args[i].StartsWith("--", StringComparison.Ordinal) ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static string NotEmpty(string option, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{option} must not be empty") : value;

    private static int Count(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 64
            ? count
            : throw new ArgumentException($"{option} must be a number from 1 to 64");

    private static TimeSpan Interval(string option, string value)
    {
        var interval = value.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(value[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms)
            : value.EndsWith('s') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span
            : throw new ArgumentException($"{option} must be a duration such as 15s or 00:00:15");
        return interval >= TimeSpan.FromMilliseconds(100) && interval <= TimeSpan.FromHours(1)
            ? interval
            : throw new ArgumentException($"{option} must be from 100ms to 1h");
    }
}
