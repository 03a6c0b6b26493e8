using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TaskPipeline.ServiceDefaults.Security;

namespace TaskPipeline.Consumer.Submit;

/// <summary>
/// Who may call Submit: a caller that sends <c>authorization: Bearer &lt;Consumer:SubmitSecret&gt;</c>. With no secret
/// configured (Development only, or an explicit opt-out) loopback callers, or every caller when opted out. A refused call
/// gets UNAUTHENTICATED before its message is read, so nothing is parsed and nothing is claimed.
/// </summary>
internal sealed class SubmitCallerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ConsumerOptions> consumerOptions,
    ConsumerMetrics metrics) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "SubmitSecret";

    private const string BearerPrefix = "Bearer ";

    private byte[]? _secretHash;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var settings = consumerOptions.Value;
        if (string.IsNullOrEmpty(settings.SubmitSecret))
        {
            return Task.FromResult(settings.AllowUnauthenticatedSubmit || IPAddress.IsLoopback(Context.Connection.RemoteIpAddress ?? IPAddress.None)
                ? Success("anonymous")
                : AuthenticateResult.Fail("no Consumer:SubmitSecret is configured, so only loopback callers are accepted"));
        }

        string authorization = Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("the call has no `authorization: Bearer <secret>` header"));
        }

        _secretHash ??= SecretHash.Of(settings.SubmitSecret);
        return Task.FromResult(SecretHash.Matches(authorization.AsSpan(BearerPrefix.Length).Trim(), _secretHash)
            ? Success("producer")
            : AuthenticateResult.Fail("the call's secret is not Consumer:SubmitSecret"));
    }

    /// <summary>A trailers-only gRPC response, so the caller reads UNAUTHENTICATED and a reason, not an HTTP 401.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await Context.AuthenticateAsync(SchemeName);
        var reason = result.Failure?.Message ?? "the call is not authenticated";
        metrics.SubmitRejected(ConsumerMetrics.UnauthenticatedReason);
        ConsumerLog.SubmitUnauthenticated(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", reason);

        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = "application/grpc";
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        Response.Headers["grpc-status"] = "16";
        Response.Headers["grpc-message"] = Uri.EscapeDataString($"Submit needs the caller secret: {reason}");
    }

    private static AuthenticateResult Success(string caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller)], SchemeName)), SchemeName));
}
