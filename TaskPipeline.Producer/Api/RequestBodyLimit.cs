using Microsoft.AspNetCore.Http.Metadata;

namespace TaskPipeline.Producer.Api;

/// <summary>Endpoint metadata the routing middleware applies to the request (IHttpMaxRequestBodySizeFeature).</summary>
internal sealed record RequestBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
