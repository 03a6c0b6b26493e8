using Npgsql;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Tests.Distributed.Api;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Data;

/// <summary>
/// The retention job vacuums the tables it churns itself once their dead rows pass the autovacuum thresholds of
/// 0003_bounded_reads.sql (PostgreSQL's autovacuum looks only every autovacuum_naptime), against the app's real database.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class RetentionVacuumTests(TaskApiFixture app)
{
    private const int Rows = 500;
    private const int Updates = 3;

    [Fact]
    public async Task TasksWithDeadRowsPastTheThresholdAreVacuumedByTheRetentionRound()
    {
        var ids = (await TaskRows.InsertHeldAsync(app.App.ConnectionString, Rows, CancellationToken.None)).Select(item => TaskRows.ToGuid(item.Id)).ToArray();
        await using var dataSource = NpgsqlDataSource.Create(app.App.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        var vacuumsBefore = await VacuumCountAsync(connection);

        // Four versions of each held row, three of them dead: well over 50 + 2 % of the table's live rows.
        for (var i = 0; i < Updates; i++)
        {
            await using var touch = new NpgsqlCommand("UPDATE tasks SET redispatch_at = redispatch_at + interval '1 microsecond' WHERE id = ANY($1)", connection);
            touch.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
            Assert.Equal(Rows, await touch.ExecuteNonQueryAsync());
        }

        // This session's counts reach the shared statistics at its next idle moment, not up to ten seconds later.
        await using (var flush = new NpgsqlCommand("SELECT pg_stat_force_next_flush()", connection))
        {
            await flush.ExecuteNonQueryAsync();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<string> vacuumed;
        do
        {
            await Task.Delay(100);
            vacuumed = await TaskRetention.VacuumIfDueAsync(connection, CancellationToken.None);
        }
        while (!vacuumed.Contains("tasks") && await VacuumCountAsync(connection) == vacuumsBefore && DateTime.UtcNow < deadline);

        // The app's own retention round may have got there first (it checks the same thresholds): either way it was vacuumed.
        Assert.True(await VacuumCountAsync(connection) > vacuumsBefore, "the tasks table was not vacuumed");
        Assert.All(vacuumed, table => Assert.Contains(table, (string[])["tasks", "task_count_deltas"]));

        // Left finished, so the Producer's sweep never sends them to the app's Consumer.
        var cancellations = new TaskCancellations(dataSource);
        foreach (var id in ids)
        {
            Assert.True((await cancellations.CancelAsync(id, CancellationToken.None))?.Changed);
        }
    }

    private static async Task<long> VacuumCountAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'tasks' AND schemaname = current_schema()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
