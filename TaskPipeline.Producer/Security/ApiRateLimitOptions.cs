using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.Producer.Security;

/// <summary>
/// <c>RateLimit</c>: requests per second each client may make to the API (a token bucket per principal, per address for
/// callers without one). Beyond it: 429 with <c>Retry-After</c>.
/// </summary>
internal sealed class ApiRateLimitOptions
{
    public const string SectionName = "RateLimit";

    /// <summary>Sustained requests per second per client; 0 turns the limit off.</summary>
    [Range(0, 1_000_000, ErrorMessage = "must be from 0 (off) to 1000000 requests per second")]
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>Requests a client may make at once after being idle.</summary>
    [Range(1, 1_000_000, ErrorMessage = "must be from 1 to 1000000 requests")]
    public int Burst { get; set; } = 200;
}
