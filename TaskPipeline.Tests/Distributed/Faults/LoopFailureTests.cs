using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Faults;

/// <summary>
/// A background loop that meets a failure a retry cannot fix stops its whole service with a non-zero exit code, so the
/// orchestrator restarts it, instead of dying alone while the rest of the service runs on.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class LoopFailureTests(ITestOutputHelper output)
{
    // Only the lease expiry's statement (its text names expired leases) is refused, with insufficient_privilege: the
    // same answer every time, as a revoked grant or a missing column would give. A statement-level trigger fires even
    // when no lease has expired, so the loop meets it on its next tick.
    private const string RefuseLeaseExpiry = """
        CREATE FUNCTION test_refuse_lease_expiry() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF current_query() LIKE '%lease expired (owner%' THEN
            RAISE EXCEPTION 'lease expiry refused by the test' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NULL;
        END $fn$;
        CREATE TRIGGER test_refuse_lease_expiry BEFORE UPDATE ON tasks
          FOR EACH STATEMENT EXECUTE FUNCTION test_refuse_lease_expiry();
        """;

    private const string AllowLeaseExpiry = """
        DROP TRIGGER test_refuse_lease_expiry ON tasks;
        DROP FUNCTION test_refuse_lease_expiry();
        """;

    [Fact]
    public async Task AFailingLeaseExpiryStopsTheConsumerWithExitCode3AndARestartLosesNothing()
    {
        const int Tasks = 1000;
        await using var scenario = FaultScenario.Create("lease-expiry-fails", Tasks, rate: 100, consumers: 1);
        await scenario.StartAsync();
        await scenario.WaitUntilAsync(c => c.GetValueOrDefault("done") >= 200);

        await ExecuteAsync(scenario, RefuseLeaseExpiry);
        var refused = Stopwatch.StartNew();
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await scenario.App.WaitForStoppedAsync("consumer", 0, patience.Token);
        }

        var stoppedAfter = refused.Elapsed;
        var failures = scenario.App.GetLogs("consumer", 0).Where(line => line.Contains("Background loop '", StringComparison.Ordinal)).ToList();
        output.WriteLine($"consumer-0 {scenario.App.State("consumer", 0)} with exit code {scenario.App.ExitCode("consumer", 0)} " +
            $"{stoppedAfter.TotalSeconds:0.0} s after the fault; {string.Join(" | ", failures)}");

        Assert.Equal(3, scenario.App.ExitCode("consumer", 0));
        Assert.Contains("Background loop 'lease-expiry' failed; stopping the service (exit code 3)", Assert.Single(failures), StringComparison.Ordinal);
        // The loop meets the fault on its next tick (every LeaseDuration/2 = 1.5 s), then the service stops within 5 s.
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(1.5 + 5), $"the consumer stopped {stoppedAfter.TotalSeconds:0.0} s after the fault");

        await ExecuteAsync(scenario, AllowLeaseExpiry);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await scenario.App.StartReplicaAsync("consumer", 0, patience.Token);
        }

        var audit = await scenario.QuiesceAndAuditAsync(Tasks);
        output.WriteLine(audit.ToString());
        Assert.Equal(Tasks, audit.Done);
        // Work went on after the restart: the restarted process finished tasks of its own.
        Assert.True(audit.CountedByRunningProcesses > 0, "the restarted consumer finished nothing");
    }

    private static async Task ExecuteAsync(FaultScenario scenario, string sql)
    {
        await using var connection = new NpgsqlConnection(scenario.App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
