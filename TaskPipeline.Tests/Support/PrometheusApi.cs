using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace TaskPipeline.Tests.Support;

/// <summary>A client of a real Prometheus server's HTTP API (/api/v1/query, /api/v1/targets).</summary>
internal sealed class PrometheusApi(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>One instant query; the result's samples as (labels, value). Throws with Prometheus' error when it fails.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(
        string expression, double? time, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string> { ["query"] = expression };
        if (time is { } at)
        {
            query["time"] = at.ToString("0.###", CultureInfo.InvariantCulture);
        }

        using var content = new FormUrlEncodedContent(query);
        using var response = await _http.PostAsync("/api/v1/query", content, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus rejected {expression}: {body.GetProperty("error").GetString()}");
        }

        var data = body.GetProperty("data");
        var resultType = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        return resultType switch
        {
            "vector" => [.. result.EnumerateArray().Select(sample => (Labels(sample), Value(sample.GetProperty("value"))))],
            "scalar" => [(new Dictionary<string, string>(), Value(result))],
            _ => throw new InvalidOperationException($"unexpected result type {resultType} for {expression}"),
        };
    }

    /// <summary>The active scrape targets: their labels and health ("up", "down", "unknown").</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, string Health, string LastError)>> TargetsAsync(CancellationToken cancellationToken)
    {
        var body = await _http.GetFromJsonAsync<JsonElement>("/api/v1/targets?state=active", cancellationToken);
        return [.. body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(target => (
            (IReadOnlyDictionary<string, string>)target.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty),
            target.GetProperty("health").GetString() ?? string.Empty,
            target.GetProperty("lastError").GetString() ?? string.Empty))];
    }

    public void Dispose() => _http.Dispose();

    private static Dictionary<string, string> Labels(JsonElement sample) =>
        sample.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);

    // [ <unix time>, "<value>" ]: Prometheus writes values as strings (NaN, +Inf included).
    private static double Value(JsonElement pair) => pair[1].GetString() switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    };
}
