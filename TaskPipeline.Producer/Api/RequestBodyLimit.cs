using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace TaskPipeline.Producer.Api;

/// <summary>Endpoint metadata the routing middleware applies to the request (IHttpMaxRequestBodySizeFeature).</summary>
internal sealed record RequestBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    /// <summary>Bodies up to this size are read and thrown away before a 413, so the client can finish sending.</summary>
    private const long DrainLimit = 1024 * 1024;

    /// <summary>
    /// A body declared larger than the route's limit is refused before anything else runs. Answered later (401, 403,
    /// 200 from a route that ignores bodies), Kestrel would try to drain the unread body after the response, hit the
    /// limit, and drop a keep-alive connection the client may already be sending its next request on. Answered at once
    /// with the connection closed, a client still writing the body would see a broken pipe instead of the 413. So a
    /// body up to <see cref="DrainLimit"/> is read to its end and discarded first (the connection stays usable), and a
    /// larger one gets the 413 and a closed connection.
    /// </summary>
    public static async Task RejectOversizedAsync(HttpContext context, RequestDelegate next)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var limit = sizeFeature?.MaxRequestBodySize;
        if (context.Request.ContentLength is not { } length || limit is null || length <= limit)
        {
            await next(context);
            return;
        }

        if (length <= DrainLimit && sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = length;
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        }
        else
        {
            context.Response.Headers.Connection = "close";
        }

        await ProblemResponse.WriteAsync(
            context, StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"A request body may have at most {limit} bytes.");
    }
}
