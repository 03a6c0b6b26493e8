using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Npgsql;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>
/// The app is driven through every route, every refusal and a few faults (failing attempts, the dead letter, a Consumer
/// restart), and then everything it said is searched: each service's console, the AppHost's own log, every exported
/// span, metric and log record, and each /metrics page. No password, key, secret or token appears anywhere.
/// </summary>
[Collection(HostileInputTests.Name)]
public sealed class SecretLeakTests(HostileInputFixture app)
{
    [Fact]
    public async Task NoPasswordKeySecretOrTokenAppearsInAnyLogTraceOrMetric()
    {
        var writerToken = app.Credentials.Create("scan-writer", "tasks:read tasks:write");
        var readerToken = app.Credentials.Create("scan-reader", "tasks:read");
        var expiredToken = app.Credentials.Create("scan-late", "tasks:read", expires: DateTime.UtcNow.AddMinutes(-10));
        var password = new NpgsqlConnectionStringBuilder(app.App.ConnectionString).Password
            ?? throw new InvalidOperationException("tasksdb's connection string has no password");
        string[] secrets =
        [
            password, AppArguments.ApiKey, AppArguments.SubmitSecret, TestCredentials.ReaderKey,
            writerToken, readerToken, expiredToken,
            // A token's signature alone is as good as the token to anyone who has the rest of it.
            writerToken.Split('.')[2], readerToken.Split('.')[2],
        ];

        await DriveEveryRouteAsync(writerToken, readerToken, expiredToken);
        await DriveFaultsAsync();
        // Every exporter has flushed (the interval is a second) and every log line has reached the resource logger.
        await Task.Delay(TimeSpan.FromSeconds(4));

        var places = new Dictionary<string, IReadOnlyList<string>>
        {
            ["producer console"] = app.App.GetLogs("producer"),
            ["consumer console"] = app.App.GetLogs("consumer"),
            ["postgres console"] = app.App.GetLogs("postgres"),
            ["AppHost log"] = app.AppHostLogs.All(),
            ["OTLP exports"] = app.Receiver.Exports.Snapshot(),
            ["producer /metrics"] = [await MetricsPageAsync("producer")],
            ["consumer /metrics"] = [await MetricsPageAsync("consumer")],
        };

        // The search saw the app at work: requests, refusals and failures were logged and exported.
        var spans = app.Receiver.Store.Snapshot();
        Assert.True(
            spans.Any(span => span.Service == "producer" && span.Name.Contains("api/tasks", StringComparison.Ordinal)),
            $"no API request among the exported spans: {string.Join(", ", spans.Select(span => $"{span.Service}:{span.Name}").Distinct())}");
        Assert.Contains(places["OTLP exports"], text => text.Contains("taskpipeline.consumer.tasks.dead_lettered", StringComparison.Ordinal));
        Assert.Contains(places["consumer console"], line => line.Contains("dead-lettered", StringComparison.Ordinal));
        Assert.Contains(places["consumer console"], line => line.Contains("not a SubmitRequest", StringComparison.Ordinal));
        Assert.Contains(places["consumer console"], line => line.Contains("refused", StringComparison.Ordinal));
        Assert.Contains("taskpipeline_producer_api_requests_rejected_total", places["producer /metrics"][0], StringComparison.Ordinal);

        foreach (var (place, lines) in places)
        {
            foreach (var line in lines)
            {
                foreach (var secret in secrets)
                {
                    Assert.False(line.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..4]}…) appears in the {place}: {line}");
                }

                // Connection strings, if any are ever logged, go without their password.
                Assert.False(line.Contains("Password=", StringComparison.OrdinalIgnoreCase), $"a connection string's password appears in the {place}: {line}");
            }
        }
    }

    private async Task DriveEveryRouteAsync(string writerToken, string readerToken, string expiredToken)
    {
        using var writer = app.App.CreateHttpClient("producer");
        using var anonymous = app.App.CreateAnonymousHttpClient("producer");

        using var created = await writer.PostAsJsonAsync("/api/tasks", new { type = 4, value = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var path in (string[])[$"/api/tasks/{id}", "/api/tasks?limit=5", "/api/stats", $"/api/tasks/{id}/cancel", $"/api/tasks/{id}/retry", "/api/tasks/retry"])
        {
            using var response = path.EndsWith("cancel", StringComparison.Ordinal) || path.EndsWith("retry", StringComparison.Ordinal)
                ? await writer.PostAsync(path, null)
                : await writer.GetAsync(path);
            Assert.True((int)response.StatusCode < 500, $"{path} answered {response.StatusCode}");
        }

        using (var stream = await writer.GetAsync("/api/notifications", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        }

        foreach (var (credentials, expected) in new (Action<HttpRequestMessage>, HttpStatusCode)[]
        {
            (ApiAuthenticationTests.Bearer(writerToken), HttpStatusCode.Created),
            (ApiAuthenticationTests.Bearer(readerToken), HttpStatusCode.Forbidden),
            (ApiAuthenticationTests.Bearer(expiredToken), HttpStatusCode.Unauthorized),
            (request => request.Headers.Add("X-Api-Key", TestCredentials.ReaderKey), HttpStatusCode.Forbidden),
            (request => request.Headers.Add("X-Api-Key", AppArguments.ApiKey + "x"), HttpStatusCode.Unauthorized),
        })
        {
            using var response = await ApiAuthenticationTests.SendAsync(anonymous, (HttpMethod.Post, "/api/tasks", "tasks:write"), credentials);
            Assert.Equal(expected, response.StatusCode);
        }

        using var rejected = app.App.CreateConsumerChannel(0, "not-the-secret-0123456789abcdef");
        await Assert.ThrowsAsync<RpcException>(() => SubmitAuthenticationTests.SubmitAsync(rejected, []));
        using var authorized = app.App.CreateConsumerChannel(0);
        await Assert.ThrowsAsync<RpcException>(() => SubmitAuthenticationTests.SendRawAsync(authorized, [0x0A, 0x05, 0x01]));
    }

    /// <summary>Every attempt fails for a while (dead letters), the Consumer is restarted twice, and the dead letter is retried.</summary>
    private async Task DriveFaultsAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        app.App.Override("consumer", "Consumer:FailureRate", 1);
        app.App.Override("consumer", "Consumer:MaxAttempts", 1);
        await app.App.StopReplicaAsync("consumer", 0, cancel.Token);
        await app.App.StartReplicaAsync("consumer", 0, cancel.Token);

        using var writer = app.App.CreateHttpClient("producer");
        var failing = new List<Guid>();
        for (var value = 0; value < 3; value++)
        {
            using var response = await writer.PostAsJsonAsync("/api/tasks", new { type = 7, value });
            failing.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        while (await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE id = ANY($1) AND state = 'failed'", cancel.Token, failing.ToArray()) < failing.Count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancel.Token);
        }

        app.App.Override("consumer", "Consumer:FailureRate", 0);
        await app.App.StopReplicaAsync("consumer", 0, cancel.Token);
        await app.App.StartReplicaAsync("consumer", 0, cancel.Token);
        using var retried = await writer.PostAsync("/api/tasks/retry?state=failed&type=7", null);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        await app.Audit.WaitForStatesAsync(
            counts => counts.GetValueOrDefault("received") == 0 && counts.GetValueOrDefault("processing") == 0 && counts.GetValueOrDefault("failed") == 0,
            TimeSpan.FromSeconds(60),
            cancel.Token);
    }

    private async Task<string> MetricsPageAsync(string service)
    {
        using var management = app.App.CreateHttpClient(service, "management");
        return await management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }
}
