using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The Task API as a client sees it: one keep-alive connection to the Producer's HTTP endpoint, with the benchmark's
/// own API key (made per run; the Producer is given its SHA-256 as <c>Auth:ApiKeys:benchmark</c>, as an operator
/// would). Each call is timed from sending the request to having read the whole body.
/// </summary>
internal sealed class BenchmarkApi : IDisposable
{
    public const string KeyName = "benchmark";
    public const string KeyHeader = "X-Api-Key";

    private readonly HttpClient _http;

    public BenchmarkApi(Uri baseAddress, string key)
    {
        // One connection, as a browser tab reuses its own: the timings are the server's, not connection set-up.
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        _http.DefaultRequestHeaders.Add(KeyHeader, key);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>A new random key (hex, 64 characters) and its SHA-256 as the Producer's ApiKeyHandler expects it.</summary>
    public static (string Key, string Hash) NewKey()
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return (key, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))));
    }

    /// <summary>The Producer settings that give the benchmark's key both scopes and lift the per-client rate limit.</summary>
    public static IEnumerable<(string Key, string Value)> ProducerSettings(string hash) =>
    [
        ($"Auth:ApiKeys:{KeyName}:Hash", hash),
        ($"Auth:ApiKeys:{KeyName}:Scopes", "tasks:read tasks:write"),
        // 100 requests per second per client would throttle the timed loop, not measure the server.
        ("RateLimit:RequestsPerSecond", "0"),
    ];

    /// <summary>Sends the request and reads the body; throws when the answer is not a success.</summary>
    public async Task<(double Milliseconds, JsonElement Body)> TimeAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchmarkException(
                $"{method} {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 500))}", []);
        }

        using var document = JsonDocument.Parse(bytes);
        return (elapsed, document.RootElement.Clone());
    }

    /// <summary>
    /// Opens the notification stream (as an open dashboard tab holds it) and reads it until cancelled; what it costs is
    /// part of what is measured.
    /// </summary>
    public async Task FollowNotificationsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _http.Dispose();
}
