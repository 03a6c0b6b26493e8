using System.Globalization;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// The environment a service process gets, as an Aspire AppHost builds it (see shared/docs/aspire-contract.md): the
/// AppHost's own environment minus launch-profile variables, then endpoints, connection string, service discovery,
/// OpenTelemetry settings, and last the user's per-resource settings.
/// </summary>
internal static class ServiceEnvironment
{
    /// <summary>Set by the AppHost's own launch, not meant for its children (Aspire drops them too).</summary>
    public static readonly IReadOnlyList<string> NotInherited =
        ["ASPNETCORE_URLS", "DOTNET_LAUNCH_PROFILE", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    /// <summary>Names the AppHost to the service; ServiceDefaults' AppHostWatcher stops the service when it dies.</summary>
    public const string AppHostPidVariable = "TASKPIPELINE_APPHOST_PID";

    /// <summary>The variables to set; a null value removes an inherited variable.</summary>
    public static Dictionary<string, string?> For(
        ServiceReplica replica,
        DatabaseConnection database,
        IReadOnlyList<Uri> consumerEndpoints,
        PipelineOptions options,
        int appHostPid)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // The services declare Kestrel endpoints of their own (gRPC/API `http`, HTTP/1.1 `management`), so, as Aspire
            // does for such projects, each endpoint's URL is set rather than ASPNETCORE_URLS (which Kestrel would
            // override with a warning).
            ["Kestrel__Endpoints__http__Url"] = replica.HttpEndpoint.GetLeftPart(UriPartial.Authority),
            ["Kestrel__Endpoints__management__Url"] = $"http://127.0.0.1:{replica.ManagementPort.ToString(CultureInfo.InvariantCulture)}",
            ["ASPNETCORE_ENVIRONMENT"] = options.Environment,
            ["DOTNET_ENVIRONMENT"] = options.Environment,
            [$"ConnectionStrings__{PipelineOptions.DatabaseName}"] = database.ConnectionString,
            ["TASKSDB_HOST"] = database.Host,
            ["TASKSDB_PORT"] = database.Port.ToString(CultureInfo.InvariantCulture),
            ["TASKSDB_USERNAME"] = database.Username,
            ["TASKSDB_PASSWORD"] = database.Password,
            ["TASKSDB_URI"] = database.Uri,
            ["TASKSDB_DATABASENAME"] = database.Database,
            ["OTEL_SERVICE_NAME"] = replica.Resource,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={replica.InstanceId}",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            [AppHostPidVariable] = appHostPid.ToString(CultureInfo.InvariantCulture),
        };

        if (string.Equals(options.Environment, "Development", StringComparison.OrdinalIgnoreCase))
        {
            // Aspire's development defaults: telemetry shows up within a second, every trace is kept.
            environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            environment["OTEL_TRACES_SAMPLER"] = "always_on";
        }

        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        }

        if (replica.Definition.ReferencesConsumers)
        {
            // One entry per replica: service discovery round-robins over them.
            for (var i = 0; i < consumerEndpoints.Count; i++)
            {
                environment[$"services__{PipelineOptions.ConsumerResource}__http__{i}"] = consumerEndpoints[i].GetLeftPart(UriPartial.Authority);
            }

            if (consumerEndpoints.Count > 0)
            {
                environment["CONSUMER_HTTP"] = consumerEndpoints[0].GetLeftPart(UriPartial.Authority);
            }
        }

        if (options.Settings.TryGetValue(replica.Resource, out var settings))
        {
            foreach (var (key, value) in settings)
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        return environment;
    }
}
