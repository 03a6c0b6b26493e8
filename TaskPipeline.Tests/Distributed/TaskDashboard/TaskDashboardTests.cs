using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.TaskDashboard;

/// <summary>The task dashboard's pages in a real headless Chromium, against the app started through Aspire.</summary>
[Collection(TaskDashboardTestGroup.Name)]
public sealed class TaskDashboardTests(TaskDashboardFixture app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheOverviewShowsTheCountsTheDatabaseHolds()
    {
        var page = await app.OpenAsync(AppArguments.ApiKey);
        await page.GetByTestId("count-done").WaitForAsync();

        // Nothing is running (the fixture waits until every generated task has ended), so the counts hold still.
        var database = await app.Audit.CountByStateAsync(CancellationToken.None);
        foreach (var state in (string[])["scheduled", "received", "processing", "done", "failed", "canceled"])
        {
            await Assertions.Expect(page.GetByTestId($"count-{state}")).ToHaveTextAsync(database.GetValueOrDefault(state).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        var doneByType = await app.Audit.DoneByTypeAsync(CancellationToken.None);
        for (var type = 0; type < 10; type++)
        {
            var count = doneByType.TryGetValue(type.ToString(System.Globalization.CultureInfo.InvariantCulture), out var row) ? row.Count : 0;
            await Assertions.Expect(page.GetByTestId($"done-type-{type}")).ToHaveTextAsync(count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        // Every generated task exists (the fixture waited for them): generation has finished, and says how far it got.
        await Assertions.Expect(page.GetByTestId("generation")).ToHaveTextAsync($"finished ({TaskDashboardFixture.GeneratedTasks} generated)");
        using (var api = app.App.CreateHttpClient("producer"))
        {
            var pipeline = await api.GetFromJsonAsync<JsonElement>("/api/pipeline");
            Assert.Equal("finished", pipeline.GetProperty("generation").GetString());
            Assert.Equal(TaskDashboardFixture.GeneratedTasks, pipeline.GetProperty("generated").GetInt64());
            Assert.Equal(TaskDashboardFixture.GeneratedTasks, pipeline.GetProperty("maxTasks").GetInt64());
            Assert.False(pipeline.GetProperty("paused").GetBoolean());
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.Screenshots, "dashboard-overview.png"), FullPage = true });
    }

    [Fact]
    public async Task TheThroughputChartsShowTheDatabasesHistoryFromTheMomentThePageOpens()
    {
        // Every generated task ended before this page was opened: the charts show them at once, from the database.
        var page = await app.OpenAsync(AppArguments.ApiKey);
        var minutes = page.GetByTestId("chart-minutes");
        var seconds = page.GetByTestId("chart-seconds");
        await minutes.WaitForAsync();

        Assert.Equal("60", await minutes.GetAttributeAsync("data-buckets"));
        Assert.Equal("300", await seconds.GetAttributeAsync("data-buckets"));
        var done = await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'done' AND done_at >= date_trunc('minute', now()) - interval '59 minutes'", CancellationToken.None);
        // Failures are counted as they happened (a failed task retried since is one failure and one done).
        using var api = app.App.CreateHttpClient("producer");
        var history = await api.GetFromJsonAsync<JsonElement>("/api/stats/history");
        var failed = history.GetProperty("perMinute").EnumerateArray().Sum(bucket => bucket.GetProperty("failed").GetInt64());
        Assert.True(done > 0);
        await Assertions.Expect(minutes).ToHaveAttributeAsync("data-done", done.ToString(System.Globalization.CultureInfo.InvariantCulture), new LocatorAssertionsToHaveAttributeOptions { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(minutes).ToHaveAttributeAsync("data-failed", failed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"{done:N0} done", await minutes.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        Assert.Equal(2, await minutes.Locator("polyline").CountAsync());
    }

    [Fact]
    public async Task AScheduledTaskShowsItsDueTimeAndPriorityAndIsCanceledFromThePage()
    {
        using var api = app.App.CreateHttpClient("producer");
        using var created = await api.PostAsJsonAsync("/api/tasks", new { type = 3, value = 0, priority = 8, delay = "PT1H" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var page = await app.OpenAsync(AppArguments.ApiKey, "#/tasks?state=scheduled");
        var row = page.Locator($"tr[data-task-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(row.GetByTestId("state")).ToHaveTextAsync("scheduled");
        await Assertions.Expect(row.GetByTestId("priority")).ToHaveTextAsync("8");
        await Assertions.Expect(row.GetByTestId("due")).Not.ToBeEmptyAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.Screenshots, "dashboard-scheduled.png") });

        // The priority filter lists only that priority.
        await page.GetByLabel("Priority").SelectOptionAsync("8");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("priority=8"));
        await Assertions.Expect(row).ToBeVisibleAsync();
        foreach (var priority in await page.GetByTestId("priority").AllTextContentsAsync())
        {
            Assert.Equal("8", priority);
        }

        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(row).ToBeHiddenAsync(new LocatorAssertionsToBeHiddenOptions { Timeout = (float)Patience.TotalMilliseconds });
        var task = await api.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
        Assert.Equal("canceled", task.GetProperty("state").GetString());
        Assert.Equal(0, task.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task ThePagesAreReachedByKeyboardAndFitANarrowWindow()
    {
        var page = await app.OpenAsync(AppArguments.ApiKey);
        await page.GetByTestId("count-done").WaitForAsync();

        // From the top of the page, the keyboard alone reaches the Tasks link and opens it.
        await page.Locator("body").FocusAsync();
        for (var press = 0; press < 10 && await page.EvaluateAsync<string>("() => document.activeElement.textContent") != "Tasks"; press++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/tasks$"));
        await Assertions.Expect(page.GetByLabel("State")).ToBeVisibleAsync();

        // A phone-sized window: nothing makes the page itself scroll sideways (wide tables scroll inside their box).
        await page.SetViewportSizeAsync(375, 800);
        await page.GotoAsync(new Uri(app.Dashboard, "#/").ToString());
        await page.GetByTestId("count-done").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the overview is wider than a 375 px window");
    }

    [Fact]
    public async Task ATaskCreatedThroughTheApiAppearsWithoutAReload()
    {
        var page = await app.OpenAsync(AppArguments.ApiKey, "#/tasks");
        await page.Locator("tbody tr").First.WaitForAsync();

        using var api = app.App.CreateHttpClient("producer");
        using var created = await api.PostAsJsonAsync("/api/tasks", new { type = 2, value = 0 });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var row = page.Locator($"tr[data-task-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(row.GetByTestId("state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(done|failed)$"), new LocatorAssertionsToHaveTextOptions { Timeout = (float)Patience.TotalMilliseconds });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.Screenshots, "dashboard-tasks.png") });
    }

    [Fact]
    public async Task AFailedTaskIsRetriedFromThePageUntilItIsDone()
    {
        var page = await app.OpenAsync(AppArguments.ApiKey, "#/dead-letter");
        var first = page.Locator("tbody tr").First;
        await first.WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.Screenshots, "dashboard-failed.png") });
        var id = (await first.GetAttributeAsync("data-task-id"))!;

        // Half of all attempts fail: retry from the task's page until an attempt succeeds.
        await page.GotoAsync(new Uri(app.Dashboard, $"#/task/{id}").ToString());
        var state = page.GetByTestId("field-state");
        for (var retry = 1; ; retry++)
        {
            await Assertions.Expect(state).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(done|failed)$"), new LocatorAssertionsToHaveTextOptions { Timeout = (float)Patience.TotalMilliseconds });
            if (await state.TextContentAsync() == "done")
            {
                break;
            }

            Assert.True(retry <= 30, $"task {id} failed {retry} attempts in a row at a failure rate of one half");
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Retry" }).ClickAsync();
            await Assertions.Expect(state).Not.ToHaveTextAsync("failed", new LocatorAssertionsToHaveTextOptions { Timeout = (float)Patience.TotalMilliseconds });
        }

        Assert.Equal(1, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE id = $1 AND state = 'done'", CancellationToken.None, Guid.Parse(id)));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.Screenshots, "dashboard-task.png") });
    }

    [Fact]
    public async Task AReadOnlyPrincipalSeesNoWriteButtonAndTheApiRefusesItAnyway()
    {
        var page = await app.OpenAsync(TestCredentials.ReaderKey, "#/dead-letter");
        var first = page.Locator("tbody tr").First;
        await first.WaitForAsync();
        var id = (await first.GetAttributeAsync("data-task-id"))!;

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Retry" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Retry all" })).ToHaveCountAsync(0);
        await page.GotoAsync(new Uri(app.Dashboard, $"#/task/{id}").ToString());
        await page.GetByTestId("field-state").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button)).ToHaveCountAsync(1); // "Use key" only

        // The same request the button would make, from the page with the reader's key: the API says no.
        var status = await page.EvaluateAsync<int>(
            "async ([id, key]) => (await fetch(`/api/tasks/${id}/retry`, { method: 'POST', headers: { 'X-Api-Key': key } })).status",
            new[] { id, TestCredentials.ReaderKey });
        Assert.Equal(403, status);
        Assert.Equal(1, await app.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE id = $1 AND state = 'failed'", CancellationToken.None, Guid.Parse(id)));
    }

    /// <summary>
    /// A slow API gets one request of each kind at a time from a tab (the overview re-counts every 2 s), and none while
    /// the tab is hidden.
    /// </summary>
    [Fact]
    public async Task TheOverviewHasOneRefreshInFlightAtATimeAndNoneWhileHidden()
    {
        var page = await app.OpenAsync(AppArguments.ApiKey);
        await page.GetByTestId("count-done").WaitForAsync();

        var inFlight = new Dictionary<string, int> { ["/api/stats"] = 0, ["/api/pipeline"] = 0 };
        var most = new Dictionary<string, int>(inFlight);
        var sent = new Dictionary<string, int>(inFlight);
        var gate = new Lock();
        string? Route(IRequest request) => inFlight.Keys.FirstOrDefault(route => new Uri(request.Url).AbsolutePath == route);
        void Finished(IRequest request)
        {
            if (Route(request) is { } route)
            {
                lock (gate)
                {
                    inFlight[route]--;
                }
            }
        }

        page.Request += (_, request) =>
        {
            if (Route(request) is { } route)
            {
                lock (gate)
                {
                    sent[route]++;
                    most[route] = Math.Max(most[route], ++inFlight[route]);
                }
            }
        };
        page.RequestFinished += (_, request) => Finished(request);
        page.RequestFailed += (_, request) => Finished(request);

        // Each count takes 3 s, longer than the 2 s between refreshes.
        await page.RouteAsync("**/api/stats", async route =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            await route.ContinueAsync();
        });
        await page.WaitForTimeoutAsync(8000);

        lock (gate)
        {
            Assert.Equal(1, most["/api/stats"]);
            Assert.Equal(1, most["/api/pipeline"]);
            // 8 s of 3 s answers, 2 s apart: two or three refreshes, not four.
            Assert.InRange(sent["/api/stats"], 1, 3);
        }

        await page.UnrouteAsync("**/api/stats");
        await SetVisibilityAsync(page, "hidden");
        await page.WaitForTimeoutAsync(1000);
        int hiddenFrom;
        lock (gate)
        {
            hiddenFrom = sent["/api/stats"];
        }

        await page.WaitForTimeoutAsync(5000);
        lock (gate)
        {
            Assert.Equal(hiddenFrom, sent["/api/stats"]);
        }

        // Shown again: it catches up at once, not at the next tick.
        var caughtUp = page.WaitForRequestAsync("**/api/stats", new PageWaitForRequestOptions { Timeout = 1500 });
        await SetVisibilityAsync(page, "visible");
        await caughtUp;

        // Its notification stream counts against the development key's Notifications:MaxStreamsPerPrincipal.
        await page.CloseAsync();
    }

    /// <summary>Headless Chromium's tab is never hidden: what the page sees is overridden, and the event sent.</summary>
    private static async Task SetVisibilityAsync(IPage page, string state) => await page.EvaluateAsync(
        """
        state => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
          document.dispatchEvent(new Event('visibilitychange'));
        }
        """,
        state);
}
