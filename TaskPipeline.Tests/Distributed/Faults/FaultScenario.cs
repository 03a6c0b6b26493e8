using System.Globalization;
using System.Text.RegularExpressions;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Faults;

/// <summary>
/// One fault-injection run: a fresh app (embedded PostgreSQL, Consumer replicas, a Producer making a known number of
/// tasks), the fault, then quiescence and an audit of the tasks table against what the services report.
/// </summary>
internal sealed partial class FaultScenario : IAsyncDisposable
{
    public static readonly TimeSpan QuiescenceTimeout = TimeSpan.FromSeconds(120);

    private FaultScenario(string stateDirectory, AppArguments options)
    {
        StateDirectory = stateDirectory;
        Options = options;
    }

    public string StateDirectory { get; }

    /// <summary>The AppHost's arguments, read at every start of the app: change settings here before a restart.</summary>
    public AppArguments Options { get; }

    public DistributedPipeline App { get; private set; } = null!;

    public TaskAudit Audit { get; private set; } = null!;

    /// <summary>
    /// Quick recovery settings: short leases and sweeps, so lost work comes back within seconds, not the defaults' tens.
    /// </summary>
    public static FaultScenario Create(string name, int tasks, double rate, int consumers = 2)
    {
        var options = new AppArguments { ConsumerReplicas = consumers }
            .Set("producer", "Producer:MaxTasks", tasks.ToString(CultureInfo.InvariantCulture))
            .Set("producer", "Producer:Rate", rate.ToString(CultureInfo.InvariantCulture))
            .Set("producer", "Producer:MaxBacklog", "100000")
            .Set("producer", "Producer:RedispatchAfter", "00:00:02")
            .Set("producer", "Producer:SweepInterval", "00:00:00.500")
            .Set("producer", "Producer:RetryMaxDelay", "00:00:01")
            .Set("consumer", "Consumer:LeaseDuration", "00:00:03")
            // Within the grace DCP gives a stopping process (about 5 s) before its Stop command gives up.
            .Set("consumer", "Consumer:DrainTimeout", "00:00:02");
        return new FaultScenario(TestDirectories.Create(name), options);
    }

    public async Task StartAsync()
    {
        App = await DistributedPipeline.StartAsync(Options, StateDirectory);
        Audit = new TaskAudit(App.ConnectionString);
    }

    /// <summary>Stops the whole app gracefully (Aspire stops every resource) and starts it again on the same data.</summary>
    public async Task RestartAppAsync()
    {
        await Audit.DisposeAsync();
        await App.DisposeAsync();
        Options.Fresh = false;
        await StartAsync();
    }

    public async Task<long> DoneAsync() => (await Audit.CountByStateAsync(CancellationToken.None)).GetValueOrDefault("done");

    public async Task<Dictionary<string, long>> WaitUntilAsync(Func<Dictionary<string, long>, bool> condition, TimeSpan? timeout = null) =>
        await Audit.WaitForStatesAsync(condition, timeout ?? QuiescenceTimeout, CancellationToken.None);

    /// <summary>
    /// Waits until <paramref name="expectedTasks"/> tasks exist and none is received or processing, then checks:
    /// every task is in exactly one terminal state (done; failed only when <paramref name="failedAllowed"/>), and each
    /// running Consumer process's done counter equals the tasks the database records as finished by that process.
    /// </summary>
    public async Task<AuditResult> QuiesceAndAuditAsync(long expectedTasks, bool failedAllowed = false)
    {
        var counts = await WaitUntilAsync(c =>
            c.Values.Sum() >= expectedTasks && c.GetValueOrDefault("received") == 0 && c.GetValueOrDefault("processing") == 0);

        Assert.Equal(expectedTasks, counts.Values.Sum());
        var terminal = failedAllowed ? new[] { "done", "failed" } : ["done"];
        Assert.All(counts.Keys, state => Assert.Contains(state, terminal));

        // The counters only know what a process did since it started; the database records which process finished
        // each task (lease_owner), so each running process's counter must equal its own rows, exactly.
        long countedByRunningProcesses = 0;
        for (var replica = 0; replica < Options.ConsumerReplicas; replica++)
        {
            var owner = ConsumerOwner(replica);
            var samples = await ScrapeAsync("consumer", replica);
            var counted = PrometheusText.SumBy(samples, "taskpipeline_consumer_tasks_done_total", "task_type").Values.Sum();
            var recorded = await Audit.ScalarAsync(
                "SELECT count(*) FROM tasks WHERE state = 'done' AND lease_owner = $1", CancellationToken.None, owner);
            Assert.True(recorded == counted, $"consumer-{replica} ({owner}) counted {counted} done, the database records {recorded}");
            countedByRunningProcesses += (long)counted;
        }

        var duplicates = 0d;
        for (var replica = 0; replica < Options.ConsumerReplicas; replica++)
        {
            duplicates += (await ScrapeAsync("consumer", replica)).Where(s => s.Name == "taskpipeline_consumer_tasks_duplicates_total").Sum(s => s.Value);
        }

        var retried = await Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE attempts > 1", CancellationToken.None);
        return new AuditResult(counts, countedByRunningProcesses, (long)duplicates, retried);
    }

    /// <summary>The lease owner of a Consumer replica's current process, from its start-up line.</summary>
    public string ConsumerOwner(int replica)
    {
        var owner = App.GetLogs("consumer", replica)
            .Select(line => ConsumerStarted().Match(line))
            .LastOrDefault(match => match.Success);
        return owner?.Groups["owner"].Value ?? throw new InvalidOperationException($"consumer-{replica} has not logged its start");
    }

    public async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(string resource, int replica)
    {
        using var client = App.CreateHttpClient(resource, "management", replica);
        return await PrometheusText.ScrapeAsync(client, new Uri("/metrics", UriKind.Relative), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        TestDirectories.Delete(StateDirectory);
    }

    [GeneratedRegex(@"Consumer (?<owner>\S+) started:")]
    private static partial Regex ConsumerStarted();
}
