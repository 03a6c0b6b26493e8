using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace TaskPipeline.Producer.Api;

/// <summary>Endpoint metadata the routing middleware applies to the request (IHttpMaxRequestBodySizeFeature).</summary>
internal sealed record RequestBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    /// <summary>
    /// A body declared larger than the route's limit is refused before anything else runs, and the connection closed.
    /// Answered later (401, 403, 200 from a route that ignores bodies), Kestrel would try to drain the unread body after
    /// the response, hit the limit, and drop a keep-alive connection the client may already be sending its next
    /// request on: that request would fail with no answer at all.
    /// </summary>
    public static Task RejectOversizedAsync(HttpContext context, RequestDelegate next)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (context.Request.ContentLength is not { } length || limit is null || length <= limit)
        {
            return next(context);
        }

        context.Response.Headers.Connection = "close";
        return ProblemResponse.WriteAsync(
            context, StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"A request body may have at most {limit} bytes.");
    }
}
