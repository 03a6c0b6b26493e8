namespace TaskPipeline.Producer.Security;

/// <summary>One API key of <c>Auth:ApiKeys:&lt;name&gt;</c>: its SHA-256 (never the key) and what it may do.</summary>
internal sealed class ApiKeyOptions
{
    /// <summary>The key's SHA-256 as 64 hex digits (<c>TaskPipeline.Producer --new-api-key</c> prints both).</summary>
    public string? Hash { get; set; }

    /// <summary>Space-separated: <c>tasks:read</c>, <c>tasks:write</c>, or both.</summary>
    public string Scopes { get; set; } = ApiScopes.Read;
}
