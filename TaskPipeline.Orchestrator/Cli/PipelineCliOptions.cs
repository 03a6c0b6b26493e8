using System.CommandLine;
using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Cli;

/// <summary>
/// The options that shape the pipeline, shared by every command that starts it (running it now; benchmarking later),
/// and their translation into <see cref="PipelineOptions"/>.
/// </summary>
internal sealed class PipelineCliOptions
{
    private const string ConnectionStringVariable = "ConnectionStrings__tasksdb";

    public Option<int> Consumers { get; } = new("--consumers")
    {
        Description = "Consumer replicas",
        DefaultValueFactory = _ => 2,
    };

    public Option<int> Producers { get; } = new("--producers")
    {
        Description = "Producer replicas",
        DefaultValueFactory = _ => 1,
    };

    public Option<bool> Fresh { get; } = new("--fresh")
    {
        Description = "Start with an empty database (deletes the embedded server's data directory)",
    };

    public Option<string?> StateDirectory { get; } = new("--state-dir")
    {
        Description = $"Where the embedded PostgreSQL keeps its data and password [default: {StateDirectories.Default}]",
        HelpName = "path",
    };

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = $"Use this PostgreSQL server instead of an embedded one [default: ${ConnectionStringVariable}]",
        HelpName = "connection string",
    };

    public Option<string> Environment { get; } = new("--environment")
    {
        Description = "The services' environment (ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT)",
        DefaultValueFactory = _ => System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? System.Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? "Development",
    };

    public Option<string?> OtlpEndpoint { get; } = new("--otlp-endpoint")
    {
        Description = "An OTLP/gRPC collector or Aspire dashboard the services send telemetry to",
        HelpName = "url",
    };

    public Option<bool> NoPrometheus { get; } = new("--no-prometheus")
    {
        Description = "Do not run Prometheus (by default it scrapes every replica when the prometheus binary is installed)",
    };

    public Option<int> PrometheusPort { get; } = new("--prometheus-port")
    {
        Description = "Prometheus' port on 127.0.0.1 (e.g. 9090, for a Grafana data source); 0 picks a free one",
        DefaultValueFactory = _ => 0,
        HelpName = "port",
    };

    public Option<double> ScrapeInterval { get; } = new("--scrape-interval")
    {
        Description = "Seconds between Prometheus scrapes of each replica",
        DefaultValueFactory = _ => 15,
        HelpName = "seconds",
    };

    public Option<string[]> Settings { get; } = SettingOption.Create([PipelineOptions.ConsumerResource, PipelineOptions.ProducerResource]);

    public IEnumerable<Option> All => [Consumers, Producers, Fresh, StateDirectory, ConnectionString, Environment, OtlpEndpoint, NoPrometheus, PrometheusPort, ScrapeInterval, Settings];

    public PipelineCliOptions()
    {
        Consumers.Validators.Add(result => RequireRange(result, Consumers, 0, 64));
        Producers.Validators.Add(result => RequireRange(result, Producers, 0, 64));
        PrometheusPort.Validators.Add(result => RequireRange(result, PrometheusPort, 0, 65535));
        ScrapeInterval.Validators.Add(result =>
        {
            var seconds = result.GetValueOrDefault<double>();
            if (!(seconds >= 0.1 && seconds <= 3600))
            {
                result.AddError($"{ScrapeInterval.Name} must be from 0.1 to 3600 seconds");
            }
        });
    }

    public PipelineOptions Bind(ParseResult parseResult)
    {
        var options = new PipelineOptions
        {
            ConsumerReplicas = parseResult.GetValue(Consumers),
            ProducerReplicas = parseResult.GetValue(Producers),
            Fresh = parseResult.GetValue(Fresh),
            StateDirectory = parseResult.GetValue(StateDirectory),
            ConnectionString = parseResult.GetValue(ConnectionString) ?? System.Environment.GetEnvironmentVariable(ConnectionStringVariable),
            Environment = parseResult.GetValue(Environment) ?? "Development",
            OtlpEndpoint = parseResult.GetValue(OtlpEndpoint),
            Prometheus = !parseResult.GetValue(NoPrometheus),
            PrometheusPort = parseResult.GetValue(PrometheusPort),
            ScrapeInterval = TimeSpan.FromSeconds(parseResult.GetValue(ScrapeInterval)),
            Output = Console.Out,
        };

        foreach (var setting in parseResult.GetValue(Settings) ?? [])
        {
            // Validated at parse time.
            _ = SettingOption.TryParse(setting, out var resource, out var key, out var value);
            options.Set(resource, key, value);
        }

        return options;
    }

    private static void RequireRange(System.CommandLine.Parsing.OptionResult result, Option<int> option, int min, int max)
    {
        var value = result.GetValueOrDefault<int>();
        if (value < min || value > max)
        {
            result.AddError($"{option.Name} must be from {min} to {max}");
        }
    }
}
