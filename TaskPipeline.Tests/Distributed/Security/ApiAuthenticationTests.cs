using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>Who may call which route of the Task API, proved against the real Producer: every route, every kind of refusal.</summary>
[Collection(SecurityTests.Name)]
public sealed class ApiAuthenticationTests(SecurityFixture app)
{
    private static readonly Guid SomeId = Guid.CreateVersion7();

    /// <summary>Every route of the API, with the scope it needs.</summary>
    public static readonly (HttpMethod Method, string Path, string Scope)[] Routes =
    [
        (HttpMethod.Post, "/api/tasks", "tasks:write"),
        (HttpMethod.Get, "/api/tasks", "tasks:read"),
        (HttpMethod.Get, $"/api/tasks/{SomeId}", "tasks:read"),
        (HttpMethod.Post, $"/api/tasks/{SomeId}/cancel", "tasks:write"),
        (HttpMethod.Post, $"/api/tasks/{SomeId}/retry", "tasks:write"),
        (HttpMethod.Post, "/api/tasks/retry", "tasks:write"),
        (HttpMethod.Get, "/api/stats", "tasks:read"),
        (HttpMethod.Get, "/api/notifications", "tasks:read"),
        (HttpMethod.Get, "/api/pipeline", "tasks:read"),
        (HttpMethod.Get, "/api/me", "authenticated"),
    ];

    [Fact]
    public async Task EveryRouteWithoutCredentialsAnswers401ProblemNamingBothSchemesAndWritesNothing()
    {
        var before = await TableAsync();
        using var client = app.App.CreateAnonymousHttpClient("producer");

        foreach (var route in Routes)
        {
            using var response = await SendAsync(client, route, credentials: null);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, route);
            var challenges = response.Headers.WwwAuthenticate.Select(header => header.ToString()).ToList();
            Assert.Contains(challenges, challenge => challenge.StartsWith("Bearer", StringComparison.Ordinal));
            Assert.Contains("ApiKey header=\"X-Api-Key\"", challenges);
        }

        Assert.Equal(before, await TableAsync());
    }

    [Fact]
    public async Task WrongKeysForeignTokensWrongAudiencesAndExpiredTokensAnswer401OnEveryRoute()
    {
        var before = await TableAsync();
        using var foreignKey = RSA.Create(2048);
        (string Name, Action<HttpRequestMessage> Credentials)[] wrong =
        [
            ("unknown API key", request => request.Headers.Add("X-Api-Key", "not-a-configured-key-0123456789abcdef")),
            ("token signed by another key", Bearer(app.Credentials.Create("intruder", "tasks:read tasks:write", signingKey: foreignKey))),
            ("token for another audience", Bearer(app.Credentials.Create("intruder", "tasks:read tasks:write", audience: "another-api"))),
            ("expired token", Bearer(app.Credentials.Create("late", "tasks:read tasks:write", expires: DateTime.UtcNow.AddMinutes(-10)))),
        ];
        using var client = app.App.CreateAnonymousHttpClient("producer");

        foreach (var (name, credentials) in wrong)
        {
            foreach (var route in Routes)
            {
                using var response = await SendAsync(client, route, credentials);
                await AssertProblemAsync(response, HttpStatusCode.Unauthorized, route, name);
            }
        }

        Assert.Equal(before, await TableAsync());
    }

    [Fact]
    public async Task ReadOnlyPrincipalsReadButEveryWriteRouteAnswers403AndChangesNothing()
    {
        var created = await CreateTaskAsync(Bearer(app.Credentials.Create("writer", "tasks:read tasks:write")));
        var id = created.GetProperty("id").GetGuid();
        await WaitUntilEndedAsync(id);
        var before = await TableAsync();
        using var client = app.App.CreateAnonymousHttpClient("producer");
        (string Name, Action<HttpRequestMessage> Credentials)[] readers =
        [
            ("read-only API key", request => request.Headers.Add("X-Api-Key", TestCredentials.ReaderKey)),
            ("read-only token", Bearer(app.Credentials.Create("reader", "tasks:read"))),
        ];

        foreach (var (name, credentials) in readers)
        {
            foreach (var route in Routes)
            {
                var target = route with { Path = route.Path.Replace(SomeId.ToString(), id.ToString(), StringComparison.Ordinal) };
                using var response = await SendAsync(client, target, credentials);
                if (route.Scope is "tasks:read" or "authenticated")
                {
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {route.Method} {route.Path} answered {response.StatusCode}");
                }
                else
                {
                    var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden, route, name);
                    Assert.Contains("tasks:write", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                    Assert.Contains(response.Headers.WwwAuthenticate, challenge =>
                        challenge.ToString().Contains("error=\"insufficient_scope\", scope=\"tasks:write\"", StringComparison.Ordinal));
                }
            }
        }

        Assert.Equal(before, await TableAsync());
    }

    [Fact]
    public async Task MeNamesThePrincipalAndItsScopes()
    {
        using var client = app.App.CreateAnonymousHttpClient("producer");
        foreach (var (credentials, name, scopes) in new (Action<HttpRequestMessage>, string, string[])[]
        {
            (request => request.Headers.Add("X-Api-Key", TestCredentials.ReaderKey), "reader", ["tasks:read"]),
            (request => request.Headers.Add("X-Api-Key", AppArguments.ApiKey), "development", ["tasks:read", "tasks:write"]),
            (Bearer(app.Credentials.Create("someone", "tasks:write")), "someone", ["tasks:write"]),
        })
        {
            using var response = await SendAsync(client, (HttpMethod.Get, "/api/me", "authenticated"), credentials);
            var me = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(name, me.GetProperty("name").GetString());
            Assert.Equal(scopes, me.GetProperty("scopes").EnumerateArray().Select(scope => scope.GetString()));
        }
    }

    [Fact]
    public async Task ATokenWithTheWriteScopeCreatesATaskThatThePipelineFinishes()
    {
        var created = await CreateTaskAsync(Bearer(app.Credentials.Create("writer", "tasks:read tasks:write")));

        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("done", await WaitUntilEndedAsync(id));
    }

    [Fact]
    public async Task AClientOverItsRateAnswers429WithRetryAfterWhileOthersAreServedAndRecovers()
    {
        var token = Bearer(app.Credentials.Create("burst-client", "tasks:read"));
        using var client = app.App.CreateAnonymousHttpClient("producer");
        var statsRoute = (HttpMethod.Get, "/api/stats", "tasks:read");

        HttpResponseMessage? limited = null;
        for (var request = 0; request < SecurityFixture.Burst * 5 && limited is null; request++)
        {
            var response = await SendAsync(client, statsRoute, token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, statsRoute);
            var retryAfter = limited.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("429 without Retry-After");
            Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

            // Another client has its own bucket.
            using (var other = await SendAsync(client, statsRoute, request => request.Headers.Add("X-Api-Key", TestCredentials.ReaderKey)))
            {
                Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            }

            await Task.Delay(retryAfter);
        }

        using (var recovered = await SendAsync(client, statsRoute, token))
        {
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        }

        using var management = app.App.CreateHttpClient("producer", "management");
        var samples = await PrometheusText.ScrapeAsync(management, new Uri("/metrics", UriKind.Relative), CancellationToken.None);
        Assert.True(
            PrometheusText.SumBy(samples, "taskpipeline_producer_api_requests_rejected_total", "reason").GetValueOrDefault("rate_limited") >= 1,
            "the rejected-requests metric did not count the 429");
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesBothSchemesAndTheScopeOfEveryOperation()
    {
        using var client = app.App.CreateAnonymousHttpClient("producer");
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());

        foreach (var route in Routes)
        {
            var template = route.Path.Replace(SomeId.ToString(), "{id}", StringComparison.Ordinal);
            var operation = document.RootElement.GetProperty("paths").GetProperty(template).GetProperty(route.Method.Method.ToLowerInvariant());
            var requirements = operation.GetProperty("security").EnumerateArray().ToList();
            Assert.Equal(2, requirements.Count);
            Assert.All(requirements, requirement => Assert.Equal(
                route.Scope == "authenticated" ? [] : [route.Scope],
                requirement.EnumerateObject().Single().Value.EnumerateArray().Select(scope => scope.GetString())));
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{route.Method} {template} does not document 401");
        }
    }

    internal static Action<HttpRequestMessage> Bearer(string token) =>
        request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient client, (HttpMethod Method, string Path, string Scope) route, Action<HttpRequestMessage>? credentials)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path);
        if (route.Method == HttpMethod.Post && route.Path == "/api/tasks")
        {
            request.Content = JsonContent.Create(new { type = 1, value = 0 });
        }

        credentials?.Invoke(request);
        // The notification stream stays open: its status and headers are all a test reads.
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, (HttpMethod Method, string Path, string Scope) route, string? context = null)
    {
        Assert.True(response.StatusCode == status, $"{context} {route.Method} {route.Path} answered {response.StatusCode}, not {status}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private async Task<JsonElement> CreateTaskAsync(Action<HttpRequestMessage> credentials)
    {
        using var client = app.App.CreateAnonymousHttpClient("producer");
        using var response = await SendAsync(client, (HttpMethod.Post, "/api/tasks", "tasks:write"), credentials);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> WaitUntilEndedAsync(Guid id)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var state = await app.Audit.ScalarAsync(
                "SELECT CASE state WHEN 'done' THEN 1 WHEN 'failed' THEN 2 WHEN 'canceled' THEN 3 ELSE 0 END FROM tasks WHERE id = $1", deadline.Token, id);
            if (state != 0)
            {
                return state switch { 1 => "done", 2 => "failed", _ => "canceled" };
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }

    /// <summary>The whole table as one comparable value: how many tasks in which state, and every attempt made.</summary>
    private async Task<string> TableAsync()
    {
        var counts = await app.Audit.CountByStateAsync(CancellationToken.None);
        var attempts = await app.Audit.ScalarAsync("SELECT coalesce(sum(attempts), 0) FROM tasks", CancellationToken.None);
        return $"{string.Join(", ", counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"))}; attempts={attempts}";
    }
}
