using System.Diagnostics.CodeAnalysis;

namespace TaskPipeline.AppHost.Services;

/// <summary>
/// A replica's own address of one of its endpoints. Replicas share one DCP proxy per endpoint, and Aspire's endpoint
/// model (URLs, references) only knows the proxy; each replica's own port is in the Kestrel variable DCP gave it.
/// </summary>
internal static class ReplicaEndpoint
{
    public static bool TryGetUrl(CustomResourceSnapshot replica, string endpointName, [NotNullWhen(true)] out Uri? url)
    {
        var variable = $"Kestrel__Endpoints__{endpointName}__Url";
        var value = replica.EnvironmentVariables.FirstOrDefault(environment => environment.Name == variable)?.Value;
        url = null;
        return value is not null && Uri.TryCreate(value, UriKind.Absolute, out url);
    }
}
