using Microsoft.Playwright;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.TaskDashboard;

/// <summary>
/// The app for the browser tests, and the browser: Debian's Chromium driven by Playwright (never a downloaded browser).
/// Half of all attempts fail and one attempt is all a task gets, so the dead letter has tasks to retry from the page.
/// </summary>
public sealed class TaskDashboardFixture() : WholeAppFixture("task-dashboard")
{
    public const string Chromium = "/usr/bin/chromium";
    public const int GeneratedTasks = 40;

    private IPlaywright? _playwright;

    private IPage? _page;

    internal TestCredentials Credentials { get; } = new();

    internal IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests leave a screenshot of each page (copied to docs/ when the pages change).</summary>
    internal string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    internal Uri Dashboard => new(App.GetEndpoint("producer"), "/dashboard/");

    protected override Task BeforeStartAsync() => File.Exists(Chromium)
        ? Task.CompletedTask
        : throw new InvalidOperationException($"{Chromium} is missing: the task dashboard tests run Debian's Chromium; install it with `apt-get install chromium` (bash .ci/run does)");

    internal override AppArguments Arguments() => Credentials.Configure(new AppArguments { ConsumerReplicas = 1 })
        .Set("producer", "Producer:MaxTasks", GeneratedTasks)
        .Set("producer", "Producer:Rate", 40)
        .Set("consumer", "Consumer:FailureRate", "0.5")
        .Set("consumer", "Consumer:MaxAttempts", 1);

    protected override async Task StartedAsync()
    {
        await Audit.WaitForStatesAsync(
            counts => counts.Values.Sum() >= GeneratedTasks && counts.GetValueOrDefault("received") == 0 && counts.GetValueOrDefault("processing") == 0,
            TimeSpan.FromSeconds(90),
            CancellationToken.None);
        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Root in CI: Chromium's sandbox needs a user namespace it is not given there.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A new page on the dashboard, signed in with <paramref name="key"/>, at <paramref name="route"/> (e.g. <c>#/tasks</c>).</summary>
    internal async Task<IPage> OpenAsync(string key, string route = "#/")
    {
        // One page at a time: each holds a notification stream, and a principal may hold only
        // Notifications:MaxStreamsPerPrincipal (4); the tests of the collection run one after another.
        if (_page is { IsClosed: false } previous)
        {
            await previous.CloseAsync();
        }

        var page = _page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 800 } });
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GotoAsync(new Uri(Dashboard, route).ToString());
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Use key" }).ClickAsync();
        await page.Locator("#caller").Filter(new LocatorFilterOptions { HasTextRegex = new System.Text.RegularExpressions.Regex(@"\(tasks") }).WaitForAsync();
        return page;
    }

    protected override async Task BeforeStopAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    protected override Task StoppedAsync()
    {
        Credentials.Dispose();
        return Task.CompletedTask;
    }
}
