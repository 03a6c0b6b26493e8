using System.ComponentModel;

namespace TaskPipeline.Producer.Api;

/// <summary><c>GET /api/me</c>: the principal a request runs as and the scopes it holds.</summary>
internal sealed record CallerInfo(
    [property: Description("The API key's name, the token's subject, or anonymous.")] string Name,
    [property: Description("tasks:read and/or tasks:write.")] IReadOnlyList<string> Scopes);
