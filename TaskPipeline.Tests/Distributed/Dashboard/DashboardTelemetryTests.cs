using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Dashboard;

/// <summary>
/// The app with Aspire's dashboard on, as <c>dotnet run</c> starts it: the services export their telemetry to the
/// dashboard, and the dashboard's HTTP telemetry API (<c>/api/telemetry/*</c>, header <c>x-api-key</c>, enabled by the
/// AppHost with <c>ASPIRE_DASHBOARD_API_ENABLED=true</c> and the key <c>DASHBOARD__API__PRIMARYAPIKEY</c>) shows one trace
/// crossing Producer → Consumer → PostgreSQL.
/// </summary>
[Collection(DashboardTestGroup.Name)]
public sealed class DashboardTelemetryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string DashboardResource = "aspire-dashboard";
    private const string ApiKeyVariable = "DASHBOARD__API__PRIMARYAPIKEY";
    private static readonly TimeSpan TraceTimeout = TimeSpan.FromSeconds(90);

    private readonly string _state = TestDirectories.Create("dashboard");
    private DistributedApplication? _app;

    [Fact]
    public async Task OneTraceInTheDashboardCrossesProducerConsumerAndPostgres()
    {
        using var timeout = new CancellationTokenSource(DistributedPipeline.StartTimeout + TraceTimeout);
        var app = _app = await StartAsync(timeout.Token);

        var dashboard = await app.ResourceNotifications.WaitForResourceAsync(
            DashboardResource, e => e.Snapshot.State?.Text == KnownResourceStates.Running, timeout.Token);
        var apiKey = dashboard.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == ApiKeyVariable)?.Value;
        Assert.False(string.IsNullOrEmpty(apiKey), $"{DashboardResource} has no {ApiKeyVariable}");
        Assert.Equal("true", dashboard.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPIRE_DASHBOARD_API_ENABLED")?.Value);
        var baseAddress = DashboardUrl(app, dashboard.Snapshot);
        output.WriteLine($"dashboard: {baseAddress}");

        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // Without the key the API answers 401; the browser token or the OTLP key does not open it either.
        using (var anonymous = await client.GetAsync("/api/telemetry/traces", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        client.DefaultRequestHeaders.Add("x-api-key", apiKey);

        // Tasks flow on their own (Producer:Rate); wait for a trace that holds the whole path.
        List<Span>? trace = null;
        string? traceId = null;
        var deadline = DateTime.UtcNow + TraceTimeout;
        while (trace is null)
        {
            var traces = Spans(await GetJsonAsync(client, "/api/telemetry/traces?limit=200", timeout.Token));
            traceId = traces.GroupBy(s => s.TraceId).FirstOrDefault(group => IsWholePath(group.ToList()))?.Key;
            if (traceId is not null)
            {
                // The same trace, on its own.
                trace = Spans(await GetJsonAsync(client, $"/api/telemetry/traces/{traceId}", timeout.Token));
                break;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"no trace with tasks.dispatch, task.process and an Npgsql span in {TraceTimeout}; spans seen: "
                + string.Join(", ", traces.Select(s => $"{s.Service}/{s.Scope}/{s.Name}").Distinct().Take(40)));
            await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
        }

        output.WriteLine($"trace {traceId}: {string.Join(", ", trace.Select(s => $"{s.Service}/{s.Scope}/{s.Name}"))}");
        Assert.All(trace, span => Assert.Equal(traceId, span.TraceId));
        Assert.True(IsWholePath(trace), "the trace read by id lacks a part of the path");

        var dispatch = trace.First(s => s.Service.StartsWith("producer", StringComparison.Ordinal) && s.Name == "tasks.dispatch");
        var work = trace.First(s => s.Service.StartsWith("consumer", StringComparison.Ordinal) && s.Name == "task.process");
        // task.process descends from tasks.dispatch (the gRPC call carries the context across the services).
        Assert.Contains(dispatch, Ancestors(trace, work));
        // PostgreSQL is reached from the Consumer within the trace.
        Assert.Contains(trace, s => s.Service.StartsWith("consumer", StringComparison.Ordinal) && s.Scope == "Npgsql");

        // /spans filtered by trace id agrees.
        var spans = Spans(await GetJsonAsync(client, $"/api/telemetry/spans?traceId={traceId}", timeout.Token));
        Assert.Equal(trace.Select(s => s.SpanId).Order(StringComparer.Ordinal), spans.Select(s => s.SpanId).Order(StringComparer.Ordinal));

        // And the dashboard lists both services among the resources it has telemetry for.
        var resources = await GetJsonAsync(client, "/api/telemetry/resources", timeout.Token);
        output.WriteLine($"resources: {resources.GetRawText()}");
        var names = resources.GetRawText();
        Assert.Contains("producer", names, StringComparison.Ordinal);
        Assert.Contains("consumer", names, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // DisposeAsync below still tears everything down.
            }

            await _app.DisposeAsync();
        }

        TestDirectories.Delete(_state);
    }

    private async Task<DistributedApplication> StartAsync(CancellationToken cancellationToken)
    {
        var arguments = new AppArguments { ConsumerReplicas = 1, Dashboard = true };
        // The dashboard, its OTLP receiver and the resource service on free loopback ports: the testing builder's
        // defaults (8080, 4317) and the launch profile's ports may be taken on a shared machine. The API key is the one the AppHost generates (and keeps in its user secrets).
        string[] args =
        [
            .. arguments.ToArgs(_state),
            $"--ASPNETCORE_URLS=http://127.0.0.1:{FreePort()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            // The AppHost's resource service (the dashboard's gRPC source) on a free port of its own choosing, not the
            // launch profile's localhost:20180.
            "--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TaskPipeline_AppHost>(
            args,
            (options, _) =>
            {
                options.DisableDashboard = false;
                options.AllowUnsecuredTransport = true;
            },
            cancellationToken);
        DistributedApplication? app = null;
        try
        {
            app = await builder.BuildAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            await WaitHealthyAsync(app, "consumer", cancellationToken);
            await WaitHealthyAsync(app, "producer", cancellationToken);
            return app;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
            else
            {
                await builder.DisposeAsync();
            }

            throw;
        }
    }

    private static Task<ResourceEvent> WaitHealthyAsync(DistributedApplication app, string resource, CancellationToken cancellationToken) =>
        app.ResourceNotifications.WaitForResourceAsync(resource, e =>
            e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, cancellationToken);

    /// <summary>The dashboard's browser endpoint as DCP published it (the ports are randomized under the testing builder).</summary>
    private Uri DashboardUrl(DistributedApplication app, CustomResourceSnapshot snapshot)
    {
        foreach (var url in snapshot.Urls)
        {
            output.WriteLine($"dashboard url: {url.Name} {url.Url} internal={url.IsInternal}");
        }

        var candidate = snapshot.Urls.FirstOrDefault(u => u.Name == "http" && !u.IsInternal)?.Url
            ?? snapshot.Urls.FirstOrDefault(u => u.Name == "http")?.Url;
        if (candidate is null)
        {
            return app.GetEndpoint(DashboardResource, "http");
        }

        var uri = new Uri(candidate);
        // The browser URL carries the one-time login token (?t=…); the API needs only the key.
        return new UriBuilder(uri) { Host = uri.Host == "localhost" ? "127.0.0.1" : uri.Host, Path = "/", Query = string.Empty }.Uri;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>tasks.dispatch in the Producer, task.process in the Consumer and an Npgsql span, all in this trace.</summary>
    private static bool IsWholePath(List<Span> trace) =>
        trace.Any(s => s.Service.StartsWith("producer", StringComparison.Ordinal) && s.Name == "tasks.dispatch")
        && trace.Any(s => s.Service.StartsWith("consumer", StringComparison.Ordinal) && s.Name == "task.process")
        && trace.Any(s => s.Scope == "Npgsql");

    private static List<Span> Ancestors(List<Span> trace, Span span)
    {
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var ancestors = new List<Span>();
        var current = span;
        while (!string.IsNullOrEmpty(current.ParentSpanId) && byId.TryGetValue(current.ParentSpanId, out var parent) && !ancestors.Contains(parent))
        {
            ancestors.Add(parent);
            current = parent;
        }

        return ancestors;
    }

    /// <summary>The spans of an OTLP JSON answer: <c>{"data":{"resourceSpans":[{resource, scopeSpans:[{scope, spans}]}]}}</c>.</summary>
    private static List<Span> Spans(JsonElement answer)
    {
        var spans = new List<Span>();
        if (!answer.TryGetProperty("data", out var data) || !data.TryGetProperty("resourceSpans", out var resourceSpans))
        {
            return spans;
        }

        foreach (var resourceSpan in resourceSpans.EnumerateArray())
        {
            var service = Attribute(resourceSpan.GetProperty("resource"), "service.name") ?? string.Empty;
            foreach (var scopeSpan in resourceSpan.GetProperty("scopeSpans").EnumerateArray())
            {
                var scope = scopeSpan.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
                foreach (var span in scopeSpan.GetProperty("spans").EnumerateArray())
                {
                    spans.Add(new Span(
                        service,
                        scope,
                        span.GetProperty("name").GetString()!,
                        span.GetProperty("traceId").GetString()!,
                        span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null));
                }
            }
        }

        return spans;
    }

    private static string? Attribute(JsonElement owner, string key)
    {
        if (!owner.TryGetProperty("attributes", out var attributes))
        {
            return null;
        }

        foreach (var attribute in attributes.EnumerateArray())
        {
            if (attribute.GetProperty("key").GetString() == key && attribute.GetProperty("value").TryGetProperty("stringValue", out var value))
            {
                return value.GetString();
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Span(string Service, string Scope, string Name, string TraceId, string SpanId, string? ParentSpanId);
}
