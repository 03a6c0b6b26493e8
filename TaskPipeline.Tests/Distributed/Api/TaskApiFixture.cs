using System.Net;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Api;

/// <summary>
/// The app the route and notification tests share. Work is slow (value × 0.5 s, so a task of value 99 runs about
/// 50 s and can be canceled mid-work; value 0 is instant), and the Producer makes only the one task it must
/// (Producer:MaxTasks ≥ 1): every other task is created by a test through the API.
/// </summary>
public sealed class TaskApiFixture() : ApiAppFixture("api")
{
    public static readonly TimeSpan DelayPerValue = TimeSpan.FromMilliseconds(500);

    /// <summary>Notifications:MaxReplay here: small, so that a test can have more events than a replay may reach.</summary>
    public const int MaxReplay = 5;

    internal override void Configure(AppArguments options) => options
        // A second principal (read-only), whose notification streams count apart from the development key's.
        .Set("producer", "Auth:ApiKeys:reader:Hash", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TestCredentials.ReaderKey))))
        .Set("producer", "Auth:ApiKeys:reader:Scopes", "tasks:read")
        .Set("producer", "Notifications:MaxReplay", MaxReplay)
        .Set("producer", "Producer:MaxTasks", "1")
        .Set("producer", "Producer:Rate", "1")
        .Set("producer", "Producer:SweepInterval", "00:00:00.200")
        .Set("consumer", "Consumer:DelayPerValue", DelayPerValue.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
        .Set("consumer", "Consumer:DrainTimeout", "00:00:01");

    /// <summary>
    /// The generated task could keep the Consumer busy for up to 50 s and blur what the tests measure (its processing
    /// gauge): it is canceled, or found already finished.
    /// </summary>
    protected override async Task StartedAsync()
    {
        await base.StartedAsync();
        await Audit.WaitForStatesAsync(counts => counts.Values.Sum() >= 1, Patience, CancellationToken.None);
        var id = await Audit.ScalarAsync("SELECT count(*) FROM tasks", CancellationToken.None) == 1
            ? await FirstIdAsync()
            : throw new InvalidOperationException("the Producer made more than one task");
        using var response = await Api.PostAsync(new Uri($"/api/tasks/{id}/cancel", UriKind.Relative), null);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"cancel answered {response.StatusCode}");
    }

    private async Task<Guid> FirstIdAsync()
    {
        using var response = await Api.GetAsync(new Uri("/api/tasks?limit=1", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var page = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return page.RootElement.GetProperty("items")[0].GetProperty("id").GetGuid();
    }
}
