using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace TaskPipeline.Producer.Security;

/// <summary>ASP.NET Core's own challenge (401) and forbid (403), counted in the rejected-requests metric.</summary>
internal sealed class RejectionCountingResultHandler(ProducerMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            metrics.ApiRequestRejected("unauthenticated");
        }
        else if (authorizeResult.Forbidden)
        {
            metrics.ApiRequestRejected("forbidden");
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
