using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.ServiceDefaults.Hosting;

/// <summary>
/// Where the management endpoint (/health, /alive, /metrics) and the profiling endpoint listen. The management
/// endpoint is Kestrel's <c>management</c> endpoint; <c>Prometheus:Port</c> moves it to another port.
/// </summary>
public sealed class ServiceEndpointOptions : IValidatableObject
{
    public const string ManagementEndpointName = "management";
    public const string ProfilingEndpointName = "profiling";

    /// <summary>Kestrel:Endpoints:management:Url.</summary>
    public string? ManagementUrl { get; set; }

    /// <summary>Prometheus:Port: the port of the management endpoint (overrides the port in its URL).</summary>
    [Range(1, 65535, ErrorMessage = "must be a port number from 1 to 65535")]
    public int? PrometheusPort { get; set; }

    /// <summary>Profiling:Port: 0 turns the profiling endpoint off.</summary>
    [Range(0, 65535, ErrorMessage = "must be 0 (off) or a port number up to 65535")]
    public int ProfilingPort { get; set; }

    /// <summary>Profiling:Host: loopback unless an operator deliberately opens it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ProfilingHost { get; set; } = "127.0.0.1";

    public int ManagementPort => ManagementUrl is null ? 0 : PortOf(ManagementUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ManagementUrl))
        {
            yield return new ValidationResult("is required (the /health, /alive and /metrics endpoint)", [nameof(ManagementUrl)]);
        }
        else if (ManagementPort is <= 0 or > 65535)
        {
            yield return new ValidationResult("must be a URL with an explicit, non-zero port", [nameof(ManagementUrl)]);
        }
    }

    /// <summary>The port of a Kestrel URL such as http://127.0.0.1:9101 or http://*:9101; 0 when it has none.</summary>
    public static int PortOf(string url)
    {
        var authority = url.Split("://", 2)[^1];
        var end = authority.IndexOf('/', StringComparison.Ordinal);
        if (end >= 0)
        {
            authority = authority[..end];
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0 && int.TryParse(authority[(colon + 1)..], out var port) ? port : 0;
    }

    public static string WithPort(string url, int port)
    {
        var scheme = url.Split("://", 2);
        var authority = scheme[^1];
        var path = string.Empty;
        var slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = authority[slash..];
            authority = authority[..slash];
        }

        var colon = authority.LastIndexOf(':');
        var host = colon >= 0 && !authority.EndsWith(']') ? authority[..colon] : authority;
        return $"{(scheme.Length == 2 ? scheme[0] : "http")}://{host}:{port}{path}";
    }
}
