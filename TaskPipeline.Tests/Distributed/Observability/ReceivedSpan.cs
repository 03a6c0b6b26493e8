namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>One span as the in-test OTLP receiver got it, with its resource's service.name and its scope.</summary>
internal sealed record ReceivedSpan(
    string Service,
    string Scope,
    string Name,
    int Kind,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    /// <summary>OTLP's SPAN_KIND_SERVER.</summary>
    public const int ServerKind = 2;

    /// <summary>OTLP's SPAN_KIND_CLIENT.</summary>
    public const int ClientKind = 3;

    public string? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? value : null;
}
