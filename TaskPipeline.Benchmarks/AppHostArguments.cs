using System.Globalization;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// One run's AppHost configuration as command-line arguments, the same keys a user passes to
/// <c>dotnet run --project TaskPipeline.AppHost -- …</c>: the benchmark's own (a fresh local PostgreSQL in the run's
/// folder, no Prometheus, the Producer started explicitly, the workload's service settings), then the user's, which win.
/// </summary>
internal sealed class AppHostArguments(string stateDirectory, int consumers)
{
    private const string Prefix = "TaskPipeline:";

    private readonly List<KeyValuePair<string, string>> _values = [];

    /// <summary>The run's folder; PostgreSQL's state lives in its <c>postgres</c> subfolder.</summary>
    public string StateDirectory { get; } = stateDirectory;

    /// <summary>One setting of a service: <c>Set("producer", "Producer:Rate", "100")</c> → <c>--producer:Producer:Rate=100</c>.</summary>
    public AppHostArguments Set(string resource, string key, string value)
    {
        _values.Add(new($"{resource}:{key}", value));
        return this;
    }

    /// <summary>Arguments from the command line, each <c>--&lt;section&gt;:&lt;Key&gt;=&lt;value&gt;</c> (checked by <see cref="TryParse"/>).</summary>
    public void AddUserArguments(IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            if (TryParse(argument, out var key, out var value))
            {
                _values.Add(new(key, value));
            }
        }
    }

    /// <summary>What the run's service <paramref name="resource"/> is given on top of its appsettings.json, the last value of each key.</summary>
    public IReadOnlyDictionary<string, string> SettingsOf(string resource)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var prefix = resource + ":";
        foreach (var (key, value) in _values)
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                settings[key[prefix.Length..]] = value;
            }
        }

        return settings;
    }

    public string[] ToArgs() =>
    [
        $"--{Prefix}ConsumerReplicas={consumers.ToString(CultureInfo.InvariantCulture)}",
        $"--{Prefix}ProducerReplicas=1",
        $"--{Prefix}ProducerExplicitStart=true",
        // The machine's own PostgreSQL binaries, as a process of this machine: /proc has its CPU and memory.
        $"--{Prefix}Database:Mode=Local",
        $"--{Prefix}Database:StateDirectory={Path.Combine(StateDirectory, "postgres")}",
        $"--{Prefix}Database:Fresh=true",
        // Scrapes would be load the benchmark did not ask for.
        $"--{Prefix}Prometheus:Enabled=false",
        .. _values.Select(pair => $"--{pair.Key}={pair.Value}"),
    ];

    /// <summary><c>--&lt;section&gt;:&lt;Key&gt;=&lt;value&gt;</c> → <c>&lt;section&gt;:&lt;Key&gt;</c> and the value.</summary>
    public static bool TryParse(string argument, out string key, out string value)
    {
        key = value = string.Empty;
        if (!argument.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        var text = argument[2..];
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (colon <= 0 || equals <= colon + 1)
        {
            return false;
        }

        key = text[..equals];
        value = text[(equals + 1)..];
        return true;
    }
}
