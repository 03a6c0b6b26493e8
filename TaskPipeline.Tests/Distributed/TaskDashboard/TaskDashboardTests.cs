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
        foreach (var state in (string[])["received", "processing", "done", "failed", "canceled"])
        {
            await Assertions.Expect(page.GetByTestId($"count-{state}")).ToHaveTextAsync(database.GetValueOrDefault(state).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        var doneByType = await app.Audit.DoneByTypeAsync(CancellationToken.None);
        for (var type = 0; type < 10; type++)
        {
            var count = doneByType.TryGetValue(type.ToString(System.Globalization.CultureInfo.InvariantCulture), out var row) ? row.Count : 0;
            await Assertions.Expect(page.GetByTestId($"done-type-{type}")).ToHaveTextAsync(count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        await Assertions.Expect(page.GetByTestId("generation")).ToHaveTextAsync("running");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(app.Screenshots, "dashboard-overview.png"), FullPage = true });
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
}
