using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskPipeline.Producer.Security;

/// <summary>
/// The API without credentials, when nothing else is configured: loopback callers in Development, or every caller with
/// <c>Auth:AllowAnonymous=true</c>. They read and write as <c>anonymous</c>, rate-limited per address.
/// </summary>
internal sealed class OpenAccessHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ApiAuthOptions> authOptions) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "OpenAccess";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!authOptions.Value.AllowAnonymous && !IPAddress.IsLoopback(Context.Connection.RemoteIpAddress ?? IPAddress.None))
        {
            return Task.FromResult(AuthenticateResult.Fail("no authentication is configured, so only loopback callers are served"));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "anonymous"), new Claim(ApiScopes.ClaimType, string.Join(' ', ApiScopes.All))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
