using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskPipeline.Data.Notifications;
using TaskPipeline.Data.Schema;
using TaskPipeline.Data.Tasks;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Data;

public static class TasksDatabaseExtensions
{
    /// <summary>
    /// One <see cref="NpgsqlDataSource"/> for the tasks database (ConnectionStrings:tasksdb), its readiness check, the
    /// schema migrations that run before the service starts, and the statements on the tasks table, one class per
    /// state change (store, claim, complete, leases, cancel, retry, sweep, read, events, retention).
    /// </summary>
    public static TBuilder AddTasksDatabase<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(TasksDatabaseOptions.ConnectionName);

        builder.Services.AddValidatedOptions<TasksDatabaseOptions>(
            new Dictionary<string, string> { [nameof(TasksDatabaseOptions.ConnectionString)] = TasksDatabaseOptions.ConnectionStringKey },
            (options, configuration) => options.ConnectionString = configuration.GetConnectionString(TasksDatabaseOptions.ConnectionName),
            TasksDatabaseOptions.ConnectionStringKey);

        // Aspire.Npgsql: the one data source, its health check (readiness), tracing and metrics. What it lacks is set on
        // its builder. A missing or malformed connection string is reported by start-up validation (one line) before
        // anything resolves the data source.
        builder.AddNpgsqlDataSource(
            TasksDatabaseOptions.ConnectionName,
            settings =>
            {
                if (!IsValid(settings.ConnectionString))
                {
                    settings.ConnectionString = "Host=invalid";
                }
            },
            dataSource =>
            {
                var settings = dataSource.ConnectionStringBuilder;
                settings.ApplicationName ??= builder.Environment.ApplicationName;
                // Hot statements are prepared once per physical connection and reused.
                settings.MaxAutoPrepare = 32;
                settings.AutoPrepareMinUsages = 2;
                settings.NoResetOnClose = true;
                // Npgsql tries GSS (Kerberos) encryption first by default, and says so on every start where libgssapi is
                // missing (every container image); only those who ask for it get it.
                if (!Names(connectionString, "GSS Encryption Mode", "GssEncryptionMode"))
                {
                    settings.GssEncryptionMode = GssEncryptionMode.Disable;
                }

                dataSource.MapEnum<TaskState>("task_state");
            });

        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<DatabaseListener>();
        builder.Services.TryAddSingleton<TaskStorage>();
        builder.Services.TryAddSingleton<TaskClaims>();
        builder.Services.TryAddSingleton<TaskCompletions>();
        builder.Services.TryAddSingleton<TaskLeases>();
        builder.Services.TryAddSingleton<TaskCancellations>();
        builder.Services.TryAddSingleton<TaskRetries>();
        builder.Services.TryAddSingleton<OutboxSweep>();
        builder.Services.TryAddSingleton<TaskSchedule>();
        builder.Services.TryAddSingleton<TaskIdempotency>();
        builder.Services.TryAddSingleton<TaskReads>();
        builder.Services.TryAddSingleton<TaskEvents>();
        builder.Services.TryAddSingleton<TaskEventWatchers>();
        builder.Services.TryAddSingleton<TaskRetention>();
        return builder;
    }

    /// <summary>Whether the connection string as written sets one of these keywords (not just supports them).</summary>
    private static bool Names(string? connectionString, params string[] keywords)
    {
        if (!IsValid(connectionString))
        {
            return false;
        }

        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return keywords.Any(written.ContainsKey);
    }

    private static bool IsValid(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
