using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskPipeline.ServiceDefaults.Security;

namespace TaskPipeline.AppHost.Security;

internal static class SecretParameterExtensions
{
    public const string SubmitSecretName = "consumer-submit-secret";
    public const string ApiKeyName = "producer-api-key";

    /// <summary>The header the Task API reads an API key from (the Producer's ApiKeyHandler).</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>
    /// The secret the Producer sends with every Submit and the Consumers require: generated (a new one each run, and by
    /// the deployment tool when published), secret in the dashboard, never a default.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSubmitSecret(this IDistributedApplicationBuilder builder) =>
        builder.AddParameter(SubmitSecretName, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

    /// <summary>
    /// The Task API's development key: generated once and kept in the AppHost's user secrets
    /// (<c>dotnet user-secrets list --project TaskPipeline.AppHost</c>), shown in the dashboard as a secret parameter.
    /// None when publishing: a deployment's credentials are its operator's (an API key hash or JWT settings given as
    /// producer settings), and without them the Producer refuses to start.
    /// </summary>
    public static IResourceBuilder<ParameterResource>? AddDevelopmentApiKey(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return null;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            AppHostLog.ApiKeyWhere(@event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(AppHostLog.Category), ApiKeyName, ApiKeyHeader);
            return Task.CompletedTask;
        });
        return builder.AddParameter(ApiKeyName, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
    }

    /// <summary>The development key's SHA-256 (never the key) as <c>Auth:ApiKeys:development</c>, with both scopes.</summary>
    public static IResourceBuilder<ProjectResource> WithApiKey(this IResourceBuilder<ProjectResource> producer, IResourceBuilder<ParameterResource>? apiKey)
    {
        if (apiKey is null)
        {
            return producer;
        }

        return producer.WithEnvironment(async context =>
        {
            var key = await apiKey.Resource.GetValueAsync(context.CancellationToken)
                ?? throw new InvalidOperationException($"the parameter {ApiKeyName} has no value");
            context.EnvironmentVariables["Auth__ApiKeys__development__Hash"] = SecretHash.HexOf(key);
            context.EnvironmentVariables["Auth__ApiKeys__development__Scopes"] = "tasks:read tasks:write";
        });
    }

    /// <summary>The development key on a request the AppHost makes to the API (a dashboard command).</summary>
    public static async Task AddApiKeyAsync(HttpRequestMessage request, IResourceBuilder<ParameterResource>? apiKey, CancellationToken cancellationToken)
    {
        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, await apiKey.Resource.GetValueAsync(cancellationToken));
        }
    }
}
