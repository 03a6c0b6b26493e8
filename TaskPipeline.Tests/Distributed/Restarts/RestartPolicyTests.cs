using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using TaskPipeline.Tests.Distributed.Faults;
using TaskPipeline.Tests.Distributed.Observability;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Restarts;

[Collection(RestartTests.Name)]
public sealed class RestartPolicyTests(ITestOutputHelper output)
{
    private const string AppHostCategory = "TaskPipeline.AppHost";
    private const string RestartCount = "restart.count";
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AKilledPostmasterAtLoadIsBackWithinThirtySecondsByItselfAndEveryTaskEndsDoneOnce()
    {
        const int Tasks = 10_000;
        using var appHostLog = new AppHostLogListener();
        await using var scenario = FaultScenario.Create("restart-postgres", Tasks, rate: 3000);
        scenario.Options.Restarts = true;
        // Work of about a second a task keeps thousands of tasks stored and in flight at the moment of the kill.
        scenario.Options.Set("consumer", "Consumer:DelayPerValue", "00:00:00.020");
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("received") + c.GetValueOrDefault("processing") >= 1500 && c.GetValueOrDefault("done") >= 100);

        var inFlight = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state IN ('received', 'processing')", CancellationToken.None);
        var killed = scenario.App.ProcessId("postgres");
        var postgresId = scenario.App.ReplicaId("postgres", 0);
        var clock = Stopwatch.StartNew();
        // The postmaster alone, as the kernel's OOM killer would: its backends notice and go by themselves.
        await scenario.App.SignalAsync("postgres", "KILL");
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            await scenario.App.WaitForStoppedAsync("postgres", 0, patience.Token);
            await scenario.App.WaitForHealthyAsync("postgres", 0, patience.Token);
        }

        var back = clock.Elapsed;
        output.WriteLine($"killed the postmaster (pid {killed}) with {inFlight} task(s) received or processing; healthy again after {back.TotalSeconds:0.0} s " +
            $"(pid {scenario.App.ProcessId("postgres")}, {scenario.App.Property("postgres", 0, RestartCount)} restart(s))");
        Assert.True(inFlight >= 1000, $"only {inFlight} task(s) were in flight at the kill");
        Assert.NotEqual(killed, scenario.App.ProcessId("postgres"));
        Assert.True(back < RecoveryBound, $"PostgreSQL was back after {back.TotalSeconds:0.0} s");

        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks, audit.Done);

        var messages = Messages(appHostLog, postgresId);
        output.WriteLine(string.Join('\n', messages));
        Assert.Contains(messages, m => m.Contains("exited unexpectedly (Finished, exit code -1); restart 1 of 5", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("restarted (restart 1 since the app started; it had exited with code -1)", StringComparison.Ordinal));
        Assert.True(Convert.ToInt32(scenario.App.Property("postgres", 0, RestartCount), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task AKilledConsumerIsBackWithinThirtySecondsTakesWorkAndItsLeasedTasksAreRedoneOnce()
    {
        const int Tasks = 4000;
        await using var scenario = FaultScenario.Create("restart-consumer", Tasks, rate: 250);
        scenario.Options.Restarts = true;
        // Slower work keeps many tasks in flight at the moment of the kill; connections re-opened often give the
        // replica that comes back its share of the work within seconds.
        scenario.Options.Set("consumer", "Consumer:DelayPerValue", "00:00:00.002")
            .Set("producer", "Producer:ConsumerConnectionLifetime", "00:00:02");
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") >= 500);

        var killedOwner = scenario.ConsumerOwner(1);
        var inFlight = await scenario.Audit.ScalarAsync(
            "SELECT count(*) FROM tasks WHERE state = 'processing' AND lease_owner = $1", CancellationToken.None, killedOwner);
        var killedPid = scenario.App.ProcessId("consumer", 1);
        var clock = Stopwatch.StartNew();
        scenario.App.KillReplica("consumer", 1);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            await scenario.App.WaitForStoppedAsync("consumer", 1, patience.Token);
            await scenario.App.WaitForHealthyAsync("consumer", 1, patience.Token);
        }

        var back = clock.Elapsed;
        // Taking work again: the new process holds claims of its own (its lease owner is a new one).
        string newOwner;
        using (var patience = new CancellationTokenSource(RecoveryBound))
        {
            // Its start line reaches the resource's log a moment after its health does.
            while ((newOwner = scenario.ConsumerOwner(1)) == killedOwner)
            {
                await Task.Delay(100, patience.Token);
            }

            while (await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE lease_owner = $1", CancellationToken.None, newOwner) == 0)
            {
                await Task.Delay(100, patience.Token);
            }
        }

        var working = clock.Elapsed;
        output.WriteLine($"killed consumer-1 (pid {killedPid}) with {inFlight} task(s) in processing; healthy again after {back.TotalSeconds:0.0} s " +
            $"as pid {scenario.App.ProcessId("consumer", 1)}, holding work after {working.TotalSeconds:0.0} s");
        Assert.NotEqual(killedPid, scenario.App.ProcessId("consumer", 1));
        Assert.True(back < RecoveryBound, $"consumer-1 was back after {back.TotalSeconds:0.0} s");

        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks, audit.Done);

        // The new process finished work of its own, and the dead one's leases came back.
        var doneByNew = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE state = 'done' AND lease_owner = $1", CancellationToken.None, newOwner);
        var recovered = await scenario.Audit.ScalarAsync("SELECT count(*) FROM tasks WHERE last_error LIKE 'lease expired%'", CancellationToken.None);
        output.WriteLine($"the restarted consumer finished {doneByNew} task(s); {recovered} task(s) recovered from expired leases");
        Assert.True(doneByNew > 0, "the restarted consumer took no work");
        Assert.True(inFlight == 0 || recovered > 0, "tasks of the killed consumer were not recovered through their leases");
        Assert.Equal(1, Convert.ToInt32(scenario.App.Property("consumer", 1, RestartCount), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AReplicaThatExitsAtOnceEveryTimeIsLeftStoppedAtTheCapWithOneLineWhileTheRestRunsOn()
    {
        using var appHostLog = new AppHostLogListener();
        await using var scenario = FaultScenario.Create("restart-cap", tasks: 1_000_000, rate: 100);
        scenario.Options.Restarts = true;
        scenario.Options.SetAppHost("Restart:MaxRestarts", 2).SetAppHost("Restart:InitialDelay", "00:00:00.200");
        await scenario.StartAsync();

        // Every later start of a consumer replica meets a setting it refuses, and exits at once.
        scenario.App.Override("consumer", "Consumer:MaxConcurrency", 0);
        var id = scenario.App.ReplicaId("consumer", 1);
        scenario.App.KillReplica("consumer", 1);

        string? gaveUp;
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            while ((gaveUp = Messages(appHostLog, id).FirstOrDefault(m => m.Contains("not restarted again", StringComparison.Ordinal))) is null)
            {
                await Task.Delay(200, patience.Token);
            }
        }

        output.WriteLine(string.Join('\n', Messages(appHostLog, id)));
        // The first line says what happened and what to do; the resource's own last lines follow.
        Assert.Matches($@"^{id} exited unexpectedly \(Finished, exit code \d+\) after 2 restarts within 00:05:00: not restarted again \(TaskPipeline:Restart\); start it from the dashboard once the cause is fixed\. Its last lines:", gaveUp);
        Assert.Contains("MaxConcurrency", gaveUp, StringComparison.Ordinal);

        // It stays stopped; everything else runs on and tasks still get done.
        var doneBefore = await scenario.DoneAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Contains(scenario.App.State("consumer", 1), KnownResourceStates.TerminalStates);
        Assert.Equal(2, Convert.ToInt32(scenario.App.Property("consumer", 1, RestartCount), System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (resource, replica) in new[] { ("postgres", 0), ("consumer", 0), ("producer", 0) })
        {
            Assert.Equal(KnownResourceStates.Running, scenario.App.State(resource, replica));
        }

        Assert.True(await scenario.DoneAsync() > doneBefore, "nothing was done after the cap");
    }

    [Fact]
    public async Task AStopAskedForThroughTheDashboardIsNeverUndoneAndAStartByHandBringsItBack()
    {
        await using var scenario = FaultScenario.Create("restart-stop", tasks: 1_000_000, rate: 100);
        scenario.Options.Restarts = true;
        scenario.Options.SetAppHost("Restart:InitialDelay", "00:00:00.200");
        await scenario.StartAsync();

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await scenario.App.ExecuteAsync(scenario.App.ReplicaId("consumer", 1), KnownResourceCommands.StopCommand, patience.Token);
        await scenario.App.WaitForStoppedAsync("consumer", 1, patience.Token);
        // Ten times the first restart's delay.
        await Task.Delay(TimeSpan.FromSeconds(2), patience.Token);
        output.WriteLine($"consumer-1 {scenario.App.State("consumer", 1)} (exit code {scenario.App.ExitCode("consumer", 1)}) 2 s after its Stop command");
        Assert.Contains(scenario.App.State("consumer", 1), KnownResourceStates.TerminalStates);
        Assert.Null(scenario.App.Property("consumer", 1, RestartCount));

        await scenario.App.StartReplicaAsync("consumer", 1, patience.Token);
        Assert.Equal(KnownResourceStates.Running, scenario.App.State("consumer", 1));
        Assert.Null(scenario.App.Property("consumer", 1, RestartCount));
    }

    /// <summary>What the AppHost logged about one replica (tests run apps side by side: their ids tell them apart).</summary>
    private static List<string> Messages(AppHostLogListener log, string id) =>
        [.. log.For(AppHostCategory).Select(m => m.Message).Where(m => m.StartsWith($"{id} ", StringComparison.Ordinal))];
}
