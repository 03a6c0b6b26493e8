using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TaskPipeline.Producer.Security;

/// <summary>
/// ASP.NET Core's own challenge (401) and forbid (403), counted in the rejected-requests metric; a 403 also says which
/// scope was missing, as RFC 6750 words it (<c>error="insufficient_scope"</c>), for the scheme the caller used.
/// </summary>
internal sealed class RejectionCountingResultHandler(ProducerMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            metrics.ApiRequestRejected(ProducerMetrics.Unauthenticated);
        }
        else if (authorizeResult.Forbidden)
        {
            metrics.ApiRequestRejected(ProducerMetrics.Forbidden);
            var scope = context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>()?.Policy;
            var scheme = context.User.Identity?.AuthenticationType;
            if (scope is not null && scheme is not null)
            {
                context.Response.Headers.Append(HeaderNames.WWWAuthenticate, $"{scheme} error=\"insufficient_scope\", scope=\"{scope}\"");
            }
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
