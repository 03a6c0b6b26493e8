using Microsoft.AspNetCore.Http;

namespace TaskPipeline.Producer.Security;

/// <summary>Who a request counts against for per-client limits (the rate limit, open notification streams).</summary>
internal static class ClientIdentity
{
    /// <summary>
    /// The principal (scheme and name: an API key's name, a token's subject), or the remote address for a caller
    /// without one (failed credentials, open access in Development), so such callers are not all one client.
    /// </summary>
    public static string Of(HttpContext context)
    {
        var identity = context.User.Identity;
        return identity is { IsAuthenticated: true, AuthenticationType: not OpenAccessHandler.SchemeName }
            ? $"{identity.AuthenticationType}:{identity.Name}"
            : $"ip:{context.Connection.RemoteIpAddress}";
    }
}
