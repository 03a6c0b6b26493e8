using Npgsql;
using TaskPipeline.Data;

namespace TaskPipeline.Tests.Distributed.Integration;

/// <summary>The schema the migrations built, read back from PostgreSQL's catalog.</summary>
[Collection(PipelineTests.Name)]
public sealed class SchemaTests(PipelineFixture fixture)
{
    [Theory]
    [InlineData("type", TaskLimits.MinType, TaskLimits.MaxType)]
    [InlineData("value", TaskLimits.MinValue, TaskLimits.MaxValue)]
    public async Task TheCheckConstraintsSayWhatTaskLimitsSay(string column, int min, int max)
    {
        var definitions = await QueryAsync(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'tasks'::regclass AND contype = 'c'");

        Assert.Contains($"CHECK ((({column} >= {min}) AND ({column} <= {max})))", definitions);
    }

    [Fact]
    public async Task MigrationsKeepTheNamesDatabasesWereMigratedWith()
    {
        // DbUp knows applied scripts by these names; a new name would run a script again on an existing database.
        var applied = await QueryAsync("SELECT scriptname FROM schemaversions ORDER BY scriptname");

        Assert.Equal(
            ["TaskPipeline.ServiceDefaults.Data.Migrations.0001_create_tasks.sql", "TaskPipeline.ServiceDefaults.Data.Migrations.0002_task_events.sql"],
            applied);
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
