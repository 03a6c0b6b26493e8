using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>Every route of the Task API against the running app, success and error paths.</summary>
[Collection(ApiTests.Name)]
public sealed class TaskRoutesTests(TaskApiFixture app)
{
    private const string ProblemJson = "application/problem+json";

    private static readonly string[] StillQueued = ["received", "processing"];

    private static readonly string[] Routes =
    [
        "GET /api/me", "GET /api/notifications", "GET /api/pipeline", "GET /api/stats", "GET /api/stats/history", "GET /api/tasks", "GET /api/tasks/{id}", "POST /api/tasks",
        "POST /api/tasks/retry", "POST /api/tasks/{id}/cancel", "POST /api/tasks/{id}/retry",
    ];

    private static readonly string[] CreateTaskFields = ["type", "value"];

    private static readonly string[] AllStates = ["scheduled", "received", "processing", "done", "failed", "canceled"];

    [Fact]
    public async Task CreatedTaskIsStoredAsReceivedCountedAsProducedAndFlowsToDone()
    {
        var producedBefore = (await app.CounterByTypeAsync("producer", "taskpipeline_producer_tasks_produced_total")).GetValueOrDefault("4");

        using var response = await app.Api.PostAsJsonAsync("/api/tasks", new { type = 4, value = 0 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var task = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = task.GetProperty("id").GetGuid();
        Assert.Equal(7, id.Version);
        Assert.Equal($"/api/tasks/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(4, task.GetProperty("type").GetInt32());
        Assert.Equal(0, task.GetProperty("value").GetInt32());
        Assert.Equal("received", task.GetProperty("state").GetString());
        Assert.Equal(0, task.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, task.GetProperty("lastError").ValueKind);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("finishedAt").ValueKind);

        var done = await app.WaitForStateAsync(id, "done");
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        Assert.True(done.GetProperty("updatedAt").GetDateTimeOffset() >= done.GetProperty("createdAt").GetDateTimeOffset());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("finishedAt").ValueKind);
        var producedAfter = await ApiAppFixture.SettleAsync(
            async () => (await app.CounterByTypeAsync("producer", "taskpipeline_producer_tasks_produced_total")).GetValueOrDefault("4"),
            produced => produced == producedBefore + 1);
        Assert.Equal(producedBefore + 1, producedAfter);
    }

    [Fact]
    public async Task CreateWithOmittedFieldsNamesEachOneInsteadOfDefaultingToZero()
    {
        var both = await AssertValidationProblemAsync(await PostJsonAsync("{}"), "type", "value");
        Assert.Contains("required", both["type"][0], StringComparison.Ordinal);

        await AssertValidationProblemAsync(await PostJsonAsync("""{"type": 3}"""), "value");
        await AssertValidationProblemAsync(await PostJsonAsync("""{"value": 3}"""), "type");
        await AssertValidationProblemAsync(await PostJsonAsync("""{"type": null, "value": 3}"""), "type");
        Assert.Equal(0, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE type = 3 AND value = 3", CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"type": 10, "value": 5}""", "type")]
    [InlineData("""{"type": -1, "value": 5}""", "type")]
    [InlineData("""{"type": 1, "value": 100}""", "value")]
    [InlineData("""{"type": 10, "value": -5}""", "type", "value")]
    [InlineData("""{"type": "1", "value": 5}""", "type")]
    [InlineData("""{"type": 1.5, "value": 5}""", "type")]
    [InlineData("""{"type": 1, "value": true}""", "value")]
    [InlineData("""{"type": 1, "value": 5, "priority": 10}""", "priority")]
    [InlineData("""{"type": 1, "value": 5, "priority": -1}""", "priority")]
    [InlineData("""{"type": 1, "value": 5, "priority": "9"}""", "priority")]
    [InlineData("""{"type": 1, "value": 5, "priority": 2.5}""", "priority")]
    [InlineData("""[1, 2]""", "body")]
    [InlineData("""not json""", "body")]
    [InlineData("", "body")]
    // A field this server does not know is refused, not ignored (a misspelling, a newer client's field).
    [InlineData("""{"type": 1, "value": 5, "runIn": "PT5M"}""", "runIn")]
    [InlineData("""{"type": 1, "value": 5, "delaySeconds": 5}""", "delaySeconds")]
    // Field names are matched regardless of case (the web's JSON defaults), so "runat" is runAt, and a number is not one.
    [InlineData("""{"type": 1, "runat": 5, "value": 5}""", "runAt")]
    [InlineData("""{"type": 1, "value": 5, "extra": {"nested": [1, 2]}}""", "extra")]
    public async Task CreateWithAnInvalidBodyIs400NamingTheField(string body, params string[] fields)
    {
        await AssertValidationProblemAsync(await PostJsonAsync(body), fields);
    }

    [Fact]
    public async Task CreateRejectsOtherMediaTypesAndBodiesOverTheSizeLimit()
    {
        using var text = await app.Api.PostAsync(
            new Uri("/api/tasks", UriKind.Relative), new StringContent("type=1&value=2", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal(ProblemJson, text.Content.Headers.ContentType?.MediaType);

        var padded = "{\"type\": 1, \"value\": 2" + new string(' ', 17 * 1024) + "}";
        using var large = await PostJsonAsync(padded);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal(ProblemJson, large.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetReturnsTheTask404ForAnUnknownIdAnd400ForAMalformedOne()
    {
        var created = await app.CreateTaskAsync(5, 0);
        var id = created.GetProperty("id").GetGuid();

        var task = await app.GetTaskAsync(id);
        Assert.Equal(id, task.GetProperty("id").GetGuid());
        Assert.Equal(5, task.GetProperty("type").GetInt32());
        foreach (var field in new[] { "state", "attempts", "lastError", "createdAt", "updatedAt" })
        {
            Assert.True(task.TryGetProperty(field, out _), $"GET /api/tasks/{{id}} has no {field}");
        }

        await AssertProblemAsync(await app.Api.GetAsync(new Uri($"/api/tasks/{Guid.CreateVersion7()}", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertValidationProblemAsync(await app.Api.GetAsync(new Uri("/api/tasks/not-a-uuid", UriKind.Relative)), "id");
        await AssertValidationProblemAsync(await app.Api.GetAsync(new Uri("/api/tasks/12345", UriKind.Relative)), "id");
    }

    [Fact]
    public async Task ListPagesWalkEveryTaskOnceNewestFirstWithNoNextCursorAtTheEnd()
    {
        // Type 9 is this test's own, apart from the one task the generator may have made.
        for (var i = 0; i < 23; i++)
        {
            await app.CreateTaskAsync(9, 0);
        }

        var expected = await IdsAsync("SELECT id FROM tasks WHERE type = 9 ORDER BY id DESC");
        var walked = new List<Guid>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = await GetJsonAsync($"/api/tasks?type=9&limit=10{(after is null ? string.Empty : "&after=" + after)}");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 10);
            Assert.All(items, item => Assert.Equal(9, item.GetProperty("type").GetInt32()));
            walked.AddRange(items.Select(item => item.GetProperty("id").GetGuid()));
            var next = page.GetProperty("next");
            after = next.ValueKind == JsonValueKind.Null ? null : next.GetGuid().ToString();
            if (after is not null)
            {
                Assert.Equal(10, items.Count);
                Assert.Equal(items[^1].GetProperty("id").GetGuid().ToString(), after);
            }

            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(expected, walked);
        Assert.Equal((expected.Count + 9) / 10, pages);

        // limit=1 and limit=1000, the bounds, are accepted.
        var one = await GetJsonAsync("/api/tasks?type=9&limit=1");
        Assert.Single(one.GetProperty("items").EnumerateArray());
        Assert.Equal(expected[0], one.GetProperty("next").GetGuid());
        var all = await GetJsonAsync("/api/tasks?type=9&limit=1000");
        Assert.Equal(expected.Count, all.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task ListFiltersByState()
    {
        var canceled = await CreateRunningAndCancelAsync(type: 6);

        var page = await GetJsonAsync("/api/tasks?state=canceled&limit=1000");
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.All(items, item => Assert.Equal("canceled", item.GetProperty("state").GetString()));
        Assert.Contains(canceled, items.Select(item => item.GetProperty("id").GetGuid()));
        Assert.Equal(await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'canceled'", CancellationToken.None), items.Count);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("state=finished", "state")]
    [InlineData("type=10", "type")]
    [InlineData("type=x", "type")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("limit=0&type=10&state=x&after=y", "limit", "type", "state", "after")]
    public async Task ListWithAnInvalidParameterIs400NamingIt(string query, params string[] fields)
    {
        await AssertValidationProblemAsync(await app.Api.GetAsync(new Uri("/api/tasks?" + query, UriKind.Relative)), fields);
    }

    [Fact]
    public async Task CancelWhileProcessingStopsTheConsumerAtOnceAndTheTaskNeverBecomesDone()
    {
        // Value 99 works for about 50 s.
        var created = await app.CreateTaskAsync(2, 99);
        var id = created.GetProperty("id").GetGuid();
        await app.WaitForStateAsync(id, "processing");
        Assert.True(await ProcessingGaugeAsync() >= 1);

        using var response = await app.Api.PostAsync(new Uri($"/api/tasks/{id}/cancel", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var canceled = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("canceled", canceled.GetProperty("state").GetString());
        Assert.NotEqual(JsonValueKind.Null, canceled.GetProperty("finishedAt").ValueKind);

        // The Consumer stops the work within moments, not at the end of its 50 s or at the next lease renewal.
        await EventuallyAsync(
            () => Task.FromResult(app.App.GetLogs("consumer").Any(line => line.Contains($"Task {id} was canceled: its work stopped", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10),
            $"the Consumer did not log that it stopped the canceled task {id}'s work (its log: {string.Join('\n', app.App.GetLogs("consumer").TakeLast(30))})");
        await EventuallyAsync(async () => await ProcessingGaugeAsync() == 0, TimeSpan.FromSeconds(10), "the Consumer's processing gauge did not drop to 0");

        var task = await app.GetTaskAsync(id);
        Assert.Equal("canceled", task.GetProperty("state").GetString());
        Assert.Equal(1, task.GetProperty("attempts").GetInt32());
        Assert.Equal(0, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE id = $1 AND state <> 'canceled'", CancellationToken.None, id));
    }

    [Fact]
    public async Task CancelOfAFinishedTaskIs409WithItsStateAndOfAnUnknownOne404()
    {
        var created = await app.CreateTaskAsync(3, 0);
        var id = created.GetProperty("id").GetGuid();
        await app.WaitForStateAsync(id, "done");

        var conflict = await AssertProblemAsync(await PostAsync($"/api/tasks/{id}/cancel"), HttpStatusCode.Conflict);
        Assert.Equal("done", conflict.GetProperty("state").GetString());
        Assert.Equal("done", (await app.GetTaskAsync(id)).GetProperty("state").GetString());

        var canceled = await CreateRunningAndCancelAsync(type: 3);
        var again = await AssertProblemAsync(await PostAsync($"/api/tasks/{canceled}/cancel"), HttpStatusCode.Conflict);
        Assert.Equal("canceled", again.GetProperty("state").GetString());

        await AssertProblemAsync(await PostAsync($"/api/tasks/{Guid.CreateVersion7()}/cancel"), HttpStatusCode.NotFound);
        await AssertValidationProblemAsync(await PostAsync("/api/tasks/nope/cancel"), "id");
    }

    [Fact]
    public async Task RetryOfACanceledTaskRequeuesItWithAttemptsResetAndItRunsAgain()
    {
        var id = await CreateRunningAndCancelAsync(type: 1);

        using var response = await PostAsync($"/api/tasks/{id}/retry");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requeued = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("received", requeued.GetProperty("state").GetString());
        Assert.Equal(0, requeued.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, requeued.GetProperty("finishedAt").ValueKind);

        // Claimed again by a Consumer: a new first attempt.
        var running = await app.WaitForStateAsync(id, "processing");
        Assert.Equal(1, running.GetProperty("attempts").GetInt32());
        await CancelAsync(id);
    }

    [Fact]
    public async Task RetryOfATaskThatIsNotFailedOrCanceledIs409AndOfAnUnknownOne404()
    {
        var created = await app.CreateTaskAsync(3, 0);
        var id = created.GetProperty("id").GetGuid();
        await app.WaitForStateAsync(id, "done");

        var conflict = await AssertProblemAsync(await PostAsync($"/api/tasks/{id}/retry"), HttpStatusCode.Conflict);
        Assert.Equal("done", conflict.GetProperty("state").GetString());

        var running = await app.CreateTaskAsync(3, 99);
        var runningId = running.GetProperty("id").GetGuid();
        var busy = await AssertProblemAsync(await PostAsync($"/api/tasks/{runningId}/retry"), HttpStatusCode.Conflict);
        Assert.Contains(busy.GetProperty("state").GetString(), StillQueued);
        await CancelAsync(runningId);

        await AssertProblemAsync(await PostAsync($"/api/tasks/{Guid.CreateVersion7()}/retry"), HttpStatusCode.NotFound);
        await AssertValidationProblemAsync(await PostAsync("/api/tasks/nope/retry"), "id");
    }

    [Fact]
    public async Task BulkRetryRequeuesTheMatchingTasksAndValidatesItsFilters()
    {
        var id = await CreateRunningAndCancelAsync(type: 8);
        var canceledOfType8 = await IdsAsync("SELECT id FROM tasks WHERE state = 'canceled' AND type = 8");

        var result = await ReadJsonAsync(await PostAsync("/api/tasks/retry?state=canceled&type=8"), HttpStatusCode.OK);

        Assert.Equal(canceledOfType8.Count, result.GetProperty("requeued").GetInt64());
        Assert.Equal(0, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'canceled' AND type = 8", CancellationToken.None));
        var again = await app.WaitForStateAsync(id, "processing");
        Assert.Equal(1, again.GetProperty("attempts").GetInt32());
        foreach (var requeued in canceledOfType8)
        {
            await CancelAsync(requeued);
        }

        // Nothing failed here: the default state is failed.
        var none = await ReadJsonAsync(await PostAsync("/api/tasks/retry"), HttpStatusCode.OK);
        Assert.Equal(0, none.GetProperty("requeued").GetInt64());

        await AssertValidationProblemAsync(await PostAsync("/api/tasks/retry?state=done"), "state");
        await AssertValidationProblemAsync(await PostAsync("/api/tasks/retry?state=failed&type=12"), "type");
    }

    [Fact]
    public async Task StatsCountTheTableAndEqualTheConsumerMetrics()
    {
        await app.CreateTaskAsync(0, 0);
        await app.Audit.WaitForStatesAsync(
            counts => counts.GetValueOrDefault("received") == 0 && counts.GetValueOrDefault("processing") == 0,
            ApiAppFixture.Patience,
            CancellationToken.None);

        var stats = await GetJsonAsync("/api/stats");

        var counts = await app.Audit.CountByStateAsync(CancellationToken.None);
        var states = stats.GetProperty("states");
        foreach (var state in AllStates)
        {
            Assert.Equal(counts.GetValueOrDefault(state), states.GetProperty(state).GetInt64());
        }

        Assert.Equal(counts.Values.Sum(), stats.GetProperty("total").GetInt64());
        var doneByType = stats.GetProperty("doneByType").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 10), doneByType.Select(t => t.GetProperty("type").GetInt32()));
        var database = await app.Audit.DoneByTypeAsync(CancellationToken.None);
        var doneMetric = await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_done_total"),
            metric => metric.Values.Sum() == database.Values.Sum(d => d.Count));
        var valueMetric = await ApiAppFixture.SettleAsync(
            () => app.CounterByTypeAsync("consumer", "taskpipeline_consumer_tasks_value_sum_total"),
            metric => metric.Values.Sum() == database.Values.Sum(d => d.ValueSum));
        foreach (var type in doneByType)
        {
            var key = type.GetProperty("type").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (count, sum) = database.GetValueOrDefault(key);
            Assert.Equal(count, type.GetProperty("count").GetInt64());
            Assert.Equal(sum, type.GetProperty("valueSum").GetInt64());
            Assert.Equal(count, doneMetric.GetValueOrDefault(key));
            Assert.Equal(sum, valueMetric.GetValueOrDefault(key));
        }
    }

    [Fact]
    public async Task OpenApiDocumentParsesAndDescribesEveryRouteBodyAndError()
    {
        using var response = await app.Api.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        var paths = root.GetProperty("paths");
        var routes = paths.EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(Routes, routes);

        string[] Responses(string path, string method) =>
            [.. paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name)];
        Assert.Superset(new HashSet<string> { "200", "201", "400", "413", "415", "422" }, Responses("/api/tasks", "post").ToHashSet());
        Assert.Contains(
            paths.GetProperty("/api/tasks").GetProperty("post").GetProperty("parameters").EnumerateArray(),
            parameter => parameter.GetProperty("name").GetString() == "Idempotency-Key" && parameter.GetProperty("in").GetString() == "header");
        Assert.Superset(new HashSet<string> { "200", "400" }, Responses("/api/tasks", "get").ToHashSet());
        Assert.Superset(new HashSet<string> { "200", "400", "404" }, Responses("/api/tasks/{id}", "get").ToHashSet());
        Assert.Superset(new HashSet<string> { "200", "400", "404", "409" }, Responses("/api/tasks/{id}/cancel", "post").ToHashSet());
        Assert.Superset(new HashSet<string> { "200", "400", "404", "409" }, Responses("/api/tasks/{id}/retry", "post").ToHashSet());
        Assert.Superset(new HashSet<string> { "200", "400" }, Responses("/api/tasks/retry", "post").ToHashSet());
        Assert.Contains("200", Responses("/api/stats", "get"));
        Assert.True(paths.GetProperty("/api/notifications").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("text/event-stream", out _));

        var body = paths.GetProperty("/api/tasks").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.EndsWith("CreateTaskRequest", body.GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
        var schemas = root.GetProperty("components").GetProperty("schemas");
        var required = schemas.GetProperty("CreateTaskRequest").GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(CreateTaskFields, required);
        // Any other field is refused (400 naming it): the contract says so.
        Assert.False(schemas.GetProperty("CreateTaskRequest").GetProperty("additionalProperties").GetBoolean());
        var createFields = schemas.GetProperty("CreateTaskRequest").GetProperty("properties");
        Assert.Equal("date-time", createFields.GetProperty("runAt").GetProperty("format").GetString());
        Assert.Equal(2, createFields.GetProperty("delay").GetProperty("oneOf").GetArrayLength());
        Assert.True(schemas.TryGetProperty("ProblemDetails", out _));
        Assert.True(schemas.TryGetProperty("HttpValidationProblemDetails", out _));
        var limit = paths.GetProperty("/api/tasks").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal("integer", limit.GetProperty("type").GetString());
        Assert.Equal(1000, limit.GetProperty("maximum").GetInt32());
        var id = paths.GetProperty("/api/tasks/{id}").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "id").GetProperty("schema");
        Assert.Equal("uuid", id.GetProperty("format").GetString());
    }

    [Fact]
    public async Task UnknownApiRoutesAndMethodsAnswerProblemDetails()
    {
        await AssertProblemAsync(await app.Api.GetAsync(new Uri("/api/nothing-here", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await app.Api.DeleteAsync(new Uri("/api/tasks", UriKind.Relative)), HttpStatusCode.MethodNotAllowed);

        // The API is not on the management port.
        using var management = app.App.CreateHttpClient("producer", "management");
        using var response = await management.GetAsync(new Uri("/api/stats", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>A task of value 99 (about 50 s of work), canceled once a Consumer holds it.</summary>
    private async Task<Guid> CreateRunningAndCancelAsync(int type)
    {
        var created = await app.CreateTaskAsync(type, 99);
        var id = created.GetProperty("id").GetGuid();
        await app.WaitForStateAsync(id, "processing");
        await CancelAsync(id);
        return id;
    }

    private async Task CancelAsync(Guid id)
    {
        using var response = await PostAsync($"/api/tasks/{id}/cancel");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<double> ProcessingGaugeAsync() =>
        (await app.ScrapeAsync("consumer")).Where(s => s.Name == "taskpipeline_consumer_tasks_processing").Sum(s => s.Value);

    private async Task<List<Guid>> IdsAsync(string sql)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(app.App.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private Task<HttpResponseMessage> PostJsonAsync(string json) =>
        app.Api.PostAsync(new Uri("/api/tasks", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> PostAsync(string path) => app.Api.PostAsync(new Uri(path, UriKind.Relative), null);

    private async Task<JsonElement> GetJsonAsync(string path) =>
        await ReadJsonAsync(await app.Api.GetAsync(new Uri(path, UriKind.Relative)), HttpStatusCode.OK);

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {response.StatusCode}: {body}");
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadJsonAsync(response, expected);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>A 400 ProblemDetails whose errors name exactly <paramref name="fields"/>.</summary>
    private static async Task<Dictionary<string, string[]>> AssertValidationProblemAsync(HttpResponseMessage response, params string[] fields)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateObject()
            .ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.Values, messages => Assert.NotEmpty(messages[0]));
        return errors;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{failure} within {timeout}");
            }
        }
    }
}
