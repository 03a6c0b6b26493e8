using Npgsql;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Tests.Distributed.Integration;

/// <summary>The schema the migrations built, read back from PostgreSQL's catalog.</summary>
[Collection(PipelineTests.Name)]
public sealed class SchemaTests(PipelineFixture fixture)
{
    [Theory]
    [InlineData("type", TaskLimits.MinType, TaskLimits.MaxType)]
    [InlineData("value", TaskLimits.MinValue, TaskLimits.MaxValue)]
    [InlineData("priority", TaskLimits.MinPriority, TaskLimits.MaxPriority)]
    public async Task TheCheckConstraintsSayWhatTaskLimitsSay(string column, int min, int max)
    {
        var definitions = await QueryAsync(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'tasks'::regclass AND contype = 'c'");

        // priority's is NOT VALID: added without reading every row (each has the default), checked on every write.
        Assert.Contains(definitions, definition => definition.StartsWith($"CHECK ((({column} >= {min}) AND ({column} <= {max})))", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrationsKeepTheNamesDatabasesWereMigratedWith()
    {
        // DbUp knows applied scripts by these names; a new name would run a script again on an existing database.
        var applied = await QueryAsync("SELECT scriptname FROM schemaversions ORDER BY scriptname");

        Assert.Equal(
            [
                "TaskPipeline.ServiceDefaults.Data.Migrations.0001_create_tasks.sql",
                "TaskPipeline.ServiceDefaults.Data.Migrations.0002_task_events.sql",
                "TaskPipeline.ServiceDefaults.Data.Migrations.0003_bounded_reads.sql",
                "TaskPipeline.ServiceDefaults.Data.Migrations.0004_task_counts_now.sql",
                "TaskPipeline.ServiceDefaults.Data.Migrations.0005_counts_by_type_only_when_done.sql",
                "TaskPipeline.ServiceDefaults.Data.Migrations.0006_notify_only_while_watched.sql",
                "TaskPipeline.ServiceDefaults.Data.Migrations.0007_scheduling.sql",
            ],
            applied);
    }

    [Fact]
    public async Task TheOutboxSweepAndRetentionFindTheirRowsByIndexConditionsNotFilters()
    {
        // Scans are ruled out so that the plan on this small table is the one a large table gets: what the statements
        // look for must be an index condition (read only matching rows), not a filter over rows read anyway.
        var sweep = await PlanAsync(OutboxSweep.ClaimDueSql, TimeSpan.FromSeconds(10), 1000);
        Assert.Contains("tasks_received_new_idx", sweep);
        Assert.Contains("tasks_received_due_idx", sweep);
        Assert.Matches(@"Index Cond: \(created_at <= ", sweep);
        Assert.Matches(@"Index Cond: \(\(redispatch_at IS NOT NULL\) AND \(redispatch_at <= now\(\)\)\)", sweep);

        // The scheduler reads only scheduled rows that are due, in due order, and the earliest due time, from one index.
        var promote = await PlanInAsync(TaskSchedule.InDueOrderSql, TaskSchedule.PromoteSql, 1000, TimeSpan.FromSeconds(10));
        Assert.True(promote.Contains("tasks_scheduled_due_idx", StringComparison.Ordinal), promote);
        Assert.Matches(@"Index Cond: \(run_at <= now\(\)\)", promote);
        var next = await PlanInAsync(TaskSchedule.InDueOrderSql, TaskSchedule.NextDueSql);
        Assert.Contains("tasks_scheduled_due_idx", next);

        // Idempotency keys and throughput seconds are deleted oldest first through their indexes.
        var keys = await PlanAsync(TaskRetention.DeleteExpiredKeysSql, 1000);
        Assert.Contains("task_idempotency_keys_expiry_idx", keys);
        Assert.Matches(@"Index Cond: \(expires_at < now\(\)\)", keys);
        var seconds = await PlanAsync(TaskRetention.DeleteOldThroughputSql, 1000, TimeSpan.FromHours(1));
        Assert.Contains("task_throughput_pkey", seconds);

        var retention = await PlanAsync(TaskRetention.DeleteExpiredSql, "done", TimeSpan.FromHours(24), 1000);
        Assert.Contains("tasks_ended_age_idx", retention);
        Assert.Matches(@"Index Cond: \(\(state = .+task_state\) AND .*\(done_at < \(now\(\) - ", retention);
    }

    private Task<string> PlanAsync(string sql, params object[] parameters) => PlanInAsync("SELECT 1", sql, parameters);

    /// <summary>The plan of <paramref name="sql"/> in a transaction that ran <paramref name="setting"/> first, as the statement's own batch does.</summary>
    private async Task<string> PlanInAsync(string setting, string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.App.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var settings = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
        {
            await settings.ExecuteNonQueryAsync();
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand(setting, connection, transaction))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter is TimeSpan interval
                ? new NpgsqlParameter { Value = interval, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval }
                : new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var plan = new System.Text.StringBuilder();
        while (await reader.ReadAsync())
        {
            plan.AppendLine(reader.GetString(0));
        }

        return plan.ToString();
    }

    private async Task<List<string>> QueryAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.App.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
