using System.Security.Claims;

namespace TaskPipeline.Producer.Security;

/// <summary>
/// The API's two permissions, each an authorization policy of the same name: a principal has one when a <c>scope</c>
/// (or Entra ID's <c>scp</c>) claim lists it, space-separated as OAuth 2.0 writes scopes. Writing does not imply reading.
/// </summary>
internal static class ApiScopes
{
    /// <summary>GET routes: a task, the list, the stats, the notification stream.</summary>
    public const string Read = "tasks:read";

    /// <summary>Create, cancel, retry.</summary>
    public const string Write = "tasks:write";

    /// <summary>The policy of routes any authenticated principal may call (<c>/api/me</c>); not a scope.</summary>
    public const string Any = "authenticated";

    public const string ClaimType = "scope";

    public static readonly string[] All = [Read, Write];

    public static bool Has(ClaimsPrincipal user, string scope) =>
        user.Claims.Any(claim => claim.Type is ClaimType or "scp"
            && claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
