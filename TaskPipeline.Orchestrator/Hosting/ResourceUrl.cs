namespace TaskPipeline.AppHost.Hosting;

/// <summary>A named address of a resource: <c>grpc http://127.0.0.1:41003</c>, <c>health http://127.0.0.1:41004/health</c>.</summary>
internal sealed record ResourceUrl(string Name, string Url);
