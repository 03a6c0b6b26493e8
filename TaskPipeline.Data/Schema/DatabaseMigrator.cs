using DbUp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Data.Schema;

/// <summary>
/// Applies the versioned SQL scripts in Schema/Migrations with DbUp before the service starts serving. An advisory
/// lock serialises replicas that start at the same moment; PostgreSQL being down at start is waited out.
/// </summary>
internal sealed partial class DatabaseMigrator(
    NpgsqlDataSource dataSource,
    IOptions<TasksDatabaseOptions> options,
    TimeProvider time,
    ILogger<DatabaseMigrator> logger,
    ILoggerFactory loggerFactory) : IHostedService
{
    // Any constant unique to this schema: the lock guards nothing else.
    private const long MigrationLockKey = 0x7461736B73_0001;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), MaxRetryDelay, Random.Shared);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = backoff.Next(attempt - 1);
                LogDatabaseUnavailable(logger, attempt, delay.TotalSeconds, exception.Message);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock($1)", lockConnection))
        {
            acquire.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLockKey });
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(options.Value.ConnectionString)
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.Contains(".Data.Migrations.", StringComparison.Ordinal))
                .WithVariables(TaskLimits.SchemaVariables)
                .WithTransactionPerScript()
                // DbUp narrates every step at Information; its own category lets configuration quiet it (appsettings: "DbUp").
                .LogTo(loggerFactory.CreateLogger("DbUp"))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Database migration failed at {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
            }

            var applied = result.Scripts.Count();
            LogMigrated(logger, applied);

            // This data source loaded the database's types when it first connected (above), maybe before the scripts
            // (of this replica or one that held the lock first) created task_state: without a reload, reading or
            // writing the mapped enum would fail for the life of the process.
            await dataSource.ReloadTypesAsync(cancellationToken);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", lockConnection);
            release.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLockKey });
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not reachable yet (attempt {Attempt}); retrying in {DelaySeconds}s: {Reason}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, int attempt, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date ({AppliedScripts} migration(s) applied now)")]
    private static partial void LogMigrated(ILogger logger, int appliedScripts);
}
