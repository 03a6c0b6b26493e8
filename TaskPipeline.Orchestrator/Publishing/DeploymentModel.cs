using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Publishing;

/// <summary>
/// What the publishers describe, built from the same definitions and options the AppHost runs the app from: PostgreSQL
/// (image and settings of <see cref="PostgresContainer"/>) with the <c>tasksdb</c> database and a generated password,
/// the Consumer ×N and the Producer ×M (<see cref="ServiceDefinition"/>, their project files, <c>--set</c> settings), and
/// the environment each service gets (<see cref="ServiceEnvironment"/>'s contract, with container ports for loopback ports).
/// </summary>
internal sealed class DeploymentModel
{
    /// <summary>Aspire's name for the PostgreSQL resource's generated password parameter.</summary>
    public const string PasswordParameter = PipelineOptions.PostgresResource + "-password";

    public const string PostgresVolume = PipelineOptions.PostgresResource + "-data";

    public const string ImageRepositoryPrefix = "taskpipeline-";

    private DeploymentModel(DeployedService consumer, DeployedService producer, PipelineOptions options)
    {
        Consumer = consumer;
        Producer = producer;
        Prometheus = options.Prometheus;
        ScrapeInterval = options.ScrapeInterval;
        OtlpEndpoint = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : options.OtlpEndpoint;
    }

    public const string Postgres = PipelineOptions.PostgresResource;

    public const string Database = PipelineOptions.DatabaseName;

    public DeployedService Consumer { get; }

    public DeployedService Producer { get; }

    /// <summary>The services with at least one replica, consumers first (the order they start in).</summary>
    public IReadOnlyList<DeployedService> Services => [.. new[] { Consumer, Producer }.Where(service => service.Replicas > 0)];

    /// <summary>Whether the Compose output runs Prometheus (the AppHost runs one unless --no-prometheus).</summary>
    public bool Prometheus { get; }

    public TimeSpan ScrapeInterval { get; }

    public string? OtlpEndpoint { get; }

    /// <param name="imageRegistry">Prefix of the image references (e.g. <c>myregistry.azurecr.io</c>); null: local images.</param>
    public static DeploymentModel From(PipelineOptions options, string? imageRegistry, string imageTag)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(imageTag);
        options.Validate();

        var consumer = Service(ServiceDefinition.Consumer, options.ConsumerReplicas, options, imageRegistry, imageTag, referenced: null);
        var producer = Service(ServiceDefinition.Producer, options.ProducerReplicas, options, imageRegistry, imageTag, referenced: consumer);
        return new DeploymentModel(consumer, producer, options);
    }

    private static DeployedService Service(
        ServiceDefinition definition, int replicas, PipelineOptions options, string? imageRegistry, string imageTag, DeployedService? referenced)
    {
        if (!options.Projects.TryGetValue(definition.Name, out var project))
        {
            throw new ArgumentException($"no service project named '{definition.Name}'", nameof(options));
        }

        var repository = ImageRepositoryPrefix + definition.Name;
        var image = string.IsNullOrWhiteSpace(imageRegistry) ? $"{repository}:{imageTag}" : $"{imageRegistry.TrimEnd('/')}/{repository}:{imageTag}";
        var service = new DeployedService(definition, replicas, project.ProjectFile, image);

        var environment = new List<EnvEntry>();
        foreach (var endpoint in service.Endpoints)
        {
            environment.Add(new EnvEntry(endpoint.KestrelUrlVariable, new EnvValue.ListenUrl(endpoint)));
        }

        environment.Add(new EnvEntry($"ConnectionStrings__{PipelineOptions.DatabaseName}", new EnvValue.ConnectionString(PipelineOptions.DatabaseName)));
        if (definition.ReferencesConsumers && referenced is not null)
        {
            environment.Add(new EnvEntry($"services__{referenced.Name}__{referenced.Http.Name}", new EnvValue.ServiceEndpoints(referenced, referenced.Http)));
        }

        // What Aspire adds to every project it publishes.
        environment.Add(new EnvEntry("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", new EnvValue.Literal("in_memory")));
        environment.Add(new EnvEntry("ASPNETCORE_FORWARDEDHEADERS_ENABLED", new EnvValue.Literal("true")));

        if (options.Settings.TryGetValue(definition.Name, out var settings))
        {
            foreach (var (key, value) in settings)
            {
                if (value is null)
                {
                    // At run time null removes an inherited variable; a deployed container inherits nothing.
                    continue;
                }

                var name = key.Replace(":", "__", StringComparison.Ordinal);
                var index = environment.FindIndex(entry => string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase));
                var entry = new EnvEntry(name, new EnvValue.Literal(value));
                if (index >= 0)
                {
                    environment[index] = entry;
                }
                else
                {
                    environment.Add(entry);
                }
            }
        }

        return service with { Environment = environment };
    }
}
