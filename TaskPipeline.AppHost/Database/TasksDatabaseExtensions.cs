using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.AppHost.Database;

internal static class TasksDatabaseExtensions
{
    public const string ServerName = "postgres";
    public const string DatabaseName = "tasksdb";

    /// <summary>
    /// <c>postgres</c> → <c>tasksdb</c>, from where <see cref="DatabaseSettings.Mode"/> says: decided here, once, and
    /// logged once when the application starts.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddTasksDatabase(
        this IDistributedApplicationBuilder builder, DatabaseSettings settings)
    {
        var (mode, reason) = Decide(builder, settings);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            AppHostLog.DatabaseChosen(@event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(AppHostLog.Category), mode.ToString(), reason);
            return Task.CompletedTask;
        });

        return mode switch
        {
            DatabaseMode.ConnectionString => builder.AddConnectionString(DatabaseName),
            DatabaseMode.Container => builder.AddPostgres(ServerName).WithDataVolume().AddDatabase(DatabaseName),
            _ => builder.AddLocalPostgres(ServerName, settings).AddDatabase(DatabaseName),
        };
    }

    private static (DatabaseMode Mode, string Reason) Decide(IDistributedApplicationBuilder builder, DatabaseSettings settings)
    {
        var connectionString = builder.Configuration.GetConnectionString(DatabaseName);
        switch (settings.Mode)
        {
            case DatabaseMode.ConnectionString when string.IsNullOrWhiteSpace(connectionString):
                throw new AppHostConfigurationException(
                    $"TaskPipeline:Database:Mode is ConnectionString but ConnectionStrings:{DatabaseName} is not set");
            case DatabaseMode.Local when builder.ExecutionContext.IsPublishMode:
                throw new AppHostConfigurationException(
                    "TaskPipeline:Database:Mode=Local runs only with dotnet run; a published app gets the PostgreSQL container");
            case DatabaseMode.Local when PostgresBinaries.Find(settings.BinDirectory) is null:
                throw new AppHostConfigurationException(PostgresBinaries.NotFoundMessage);
            case DatabaseMode.ConnectionString or DatabaseMode.Container or DatabaseMode.Local:
                return (settings.Mode, "TaskPipeline:Database:Mode");
        }

        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return (DatabaseMode.ConnectionString, $"ConnectionStrings:{DatabaseName} is set");
        }

        if (builder.ExecutionContext.IsPublishMode)
        {
            return (DatabaseMode.Container, "publishing");
        }

        if (ContainerRuntime.IsHealthy())
        {
            return (DatabaseMode.Container, "a container runtime is running");
        }

        return PostgresBinaries.Find(settings.BinDirectory) is { } binaries
            ? (DatabaseMode.Local, $"no container runtime; PostgreSQL binaries in {Path.GetDirectoryName(binaries.Postgres)}")
            : throw new AppHostConfigurationException(PostgresBinaries.NotFoundMessage);
    }
}
