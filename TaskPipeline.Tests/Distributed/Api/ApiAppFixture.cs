using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>
/// A fresh app (embedded PostgreSQL, one Consumer, one Producer) for API tests, with a client for the Producer's API
/// and helpers to create tasks and wait for them. Subclasses choose the settings.
/// </summary>
public abstract class ApiAppFixture(string name) : WholeAppFixture(name)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The Producer's HTTP API.</summary>
    public HttpClient Api { get; private set; } = null!;

    internal override AppArguments Arguments()
    {
        var options = new AppArguments { ConsumerReplicas = 1 };
        Configure(options);
        return options;
    }

    protected override Task StartedAsync()
    {
        Api = App.CreateHttpClient("producer");
        return Task.CompletedTask;
    }

    protected override Task BeforeStopAsync()
    {
        Api?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>POST /api/tasks; fails unless 201.</summary>
    public async Task<JsonElement> CreateTaskAsync(int type, int value)
    {
        using var response = await Api.PostAsJsonAsync("/api/tasks", new { type, value });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> GetTaskAsync(Guid id)
    {
        using var response = await Api.GetAsync(new Uri($"/api/tasks/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls GET /api/tasks/{id} until the task is in one of <paramref name="states"/>.</summary>
    public async Task<JsonElement> WaitForStateAsync(Guid id, params string[] states)
    {
        using var deadline = new CancellationTokenSource(Patience);
        var task = await GetTaskAsync(id);
        while (!states.Contains(task.GetProperty("state").GetString()))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"task {id} did not reach {string.Join(" or ", states)} within {Patience}: {task}");
            }

            task = await GetTaskAsync(id);
        }

        return task;
    }

    internal async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(string resource)
    {
        using var client = App.CreateHttpClient(resource, "management");
        return await PrometheusText.ScrapeAsync(client, new Uri("/metrics", UriKind.Relative), CancellationToken.None);
    }

    /// <summary>A counter's values per task type, leaving out zeros (a series may or may not exist before it counts).</summary>
    internal async Task<Dictionary<string, double>> CounterByTypeAsync(string resource, string metric) =>
        PrometheusText.SumBy(await ScrapeAsync(resource), metric, "task_type")
            .Where(pair => pair.Value != 0)
            .ToDictionary(pair => pair.Key, pair => pair.Value);

    /// <summary>Tasks in <paramref name="state"/> per type, from the table, leaving out zeros.</summary>
    internal async Task<Dictionary<string, double>> RowsByTypeAsync(string state)
    {
        var counts = new Dictionary<string, double>();
        for (var type = 0; type < 10; type++)
        {
            var count = await Audit.ScalarAsync(
                "SELECT count(*) FROM tasks WHERE state::text = $1 AND type = $2", CancellationToken.None, state, (short)type);
            if (count > 0)
            {
                counts[type.ToString(CultureInfo.InvariantCulture)] = count;
            }
        }

        return counts;
    }

    /// <summary>
    /// Reads until <paramref name="settled"/> holds or <paramref name="timeout"/> (10 s) passes, and returns the last
    /// reading for the caller to assert on. Metrics trail the table a little: a counter is added to after its
    /// statement commits, and the exporter caches a scrape for a moment.
    /// </summary>
    public static async Task<T> SettleAsync<T>(Func<Task<T>> read, Func<T, bool> settled, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(settled);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        var value = await read();
        while (!settled(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            value = await read();
        }

        return value;
    }

    internal abstract void Configure(AppArguments options);
}
