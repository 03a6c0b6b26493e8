using DbUp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskPipeline.Data;
using TaskPipeline.Data.Schema;

namespace TaskPipeline.Tests.Distributed.Integration;

/// <summary>
/// A database made by the schema before scheduling (migrations 0001–0006, with tasks in it) upgrades in place: the
/// migrator applies 0007 alone, every task keeps its state and counts, and the new columns, state and tables work.
/// </summary>
[Collection(PipelineTests.Name)]
public sealed class SchemaUpgradeTests(PipelineFixture fixture)
{
    private const string LastScriptBeforeScheduling = "0006_notify_only_while_watched.sql";

    [Fact]
    public async Task ADatabaseOfTheScheduleLessSchemaUpgradesInPlaceKeepingItsTasks()
    {
        var database = $"upgrade_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(fixture.App.ConnectionString))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {database}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(fixture.App.ConnectionString) { Database = database, Pooling = false }.ConnectionString;
        try
        {
            // Yesterday's schema, exactly as its scripts made it, and tasks made under it.
            var before = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(
                    typeof(TaskLimits).Assembly,
                    name => name.Contains(".Data.Migrations.", StringComparison.Ordinal)
                        && string.CompareOrdinal(name[(name.LastIndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..], LastScriptBeforeScheduling) <= 0)
                .WithVariables(TaskLimits.SchemaVariables)
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build()
                .PerformUpgrade();
            Assert.True(before.Successful, before.Error?.Message);
            Assert.Equal(6, before.Scripts.Count());

            await using (var old = NpgsqlDataSource.Create(connectionString))
            await using (var seed = old.CreateCommand("""
                INSERT INTO tasks (id, type, value, state, done_at, event_seq)
                SELECT gen_random_uuid(), g % 10, g % 100,
                       (CASE WHEN g <= 30 THEN 'done' WHEN g <= 40 THEN 'failed' ELSE 'received' END)::task_state,
                       CASE WHEN g <= 40 THEN now() END, CASE WHEN g <= 40 THEN nextval('task_event_seq') END
                FROM generate_series(1, 50) AS g
                """))
            {
                await seed.ExecuteNonQueryAsync();
            }

            // The service's own migrator, as a Producer or Consumer runs it at start.
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            {
                var migrator = new DatabaseMigrator(
                    dataSource,
                    Options.Create(new TasksDatabaseOptions { ConnectionString = connectionString }),
                    TimeProvider.System,
                    NullLogger<DatabaseMigrator>.Instance,
                    NullLoggerFactory.Instance);
                await migrator.StartAsync(CancellationToken.None);
            }

            await using var upgraded = NpgsqlDataSource.Create(connectionString);
            Assert.Equal(
                "TaskPipeline.ServiceDefaults.Data.Migrations.0007_scheduling.sql",
                await ScalarAsync<string>(upgraded, "SELECT scriptname FROM schemaversions ORDER BY scriptname DESC LIMIT 1"));
            Assert.Equal(7L, await ScalarAsync<long>(upgraded, "SELECT count(*) FROM schemaversions"));
            Assert.Equal(
                "30 done, 10 failed, 10 received",
                await ScalarAsync<string>(upgraded, "SELECT string_agg(n || ' ' || state, ', ' ORDER BY state::text) FROM (SELECT state, count(*) AS n FROM tasks GROUP BY state) AS s"));
            Assert.Equal(50L, await ScalarAsync<long>(upgraded, $"SELECT count(*) FROM tasks WHERE priority = {TaskLimits.DefaultPriority} AND run_at IS NULL"));
            // The counters the old triggers kept still add up to the table.
            Assert.Equal(50L, await ScalarAsync<long>(upgraded, "SELECT sum(tasks)::bigint FROM task_counts_now"));

            // What the new schema adds works on the upgraded database.
            await using (var scheduled = upgraded.CreateCommand(
                "INSERT INTO tasks (id, type, value, state, run_at, priority) VALUES (gen_random_uuid(), 1, 1, 'scheduled', now() + interval '1 hour', 9)"))
            {
                await scheduled.ExecuteNonQueryAsync();
            }

            Assert.Equal(1L, await ScalarAsync<long>(upgraded, "SELECT sum(tasks)::bigint FROM task_counts_now WHERE state = 'scheduled'"));
            await using (var key = upgraded.CreateCommand(
                "INSERT INTO task_idempotency_keys (client, key, request_hash, task_id, expires_at) VALUES ('c', 'k', '\\x00', gen_random_uuid(), now())"))
            {
                await key.ExecuteNonQueryAsync();
            }

            await using (var done = upgraded.CreateCommand("UPDATE tasks SET state = 'done', done_at = now() WHERE state = 'received'"))
            {
                await done.ExecuteNonQueryAsync();
            }

            await using (var fold = upgraded.CreateCommand(
                "SELECT count(*) FROM task_count_deltas WHERE at IS NOT NULL"))
            {
                Assert.True((long)(await fold.ExecuteScalarAsync())! > 0);
            }

            await Assert.ThrowsAsync<PostgresException>(async () =>
            {
                await using var outOfRange = upgraded.CreateCommand("INSERT INTO tasks (id, type, value, priority) VALUES (gen_random_uuid(), 1, 1, 10)");
                await outOfRange.ExecuteNonQueryAsync();
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(fixture.App.ConnectionString);
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
