using Microsoft.Extensions.Logging;

namespace TaskPipeline.AppHost;

internal static partial class AppHostLog
{
    public const string Category = "TaskPipeline.AppHost";

    [LoggerMessage(1, LogLevel.Information, "tasksdb: {Mode} ({Reason})")]
    public static partial void DatabaseChosen(ILogger logger, string mode, string reason);

    [LoggerMessage(2, LogLevel.Warning, "prometheus not found: install it (apt-get install prometheus) to scrape the services; going on without it")]
    public static partial void PrometheusNotFound(ILogger logger);

    [LoggerMessage(4, LogLevel.Information,
        "The Task API needs a key: the dashboard shows it under the parameter {Parameter}, and `dotnet user-secrets list --project TaskPipeline.AppHost` prints it; send it as {Header}")]
    public static partial void ApiKeyWhere(ILogger logger, string parameter, string header);

    [LoggerMessage(3, LogLevel.Information, "Stopping postgres (pid {ProcessId}) with a fast shutdown; {Running} service replica(s) still running")]
    public static partial void PostgresFastShutdown(ILogger logger, int? processId, int running);

    [LoggerMessage(5, LogLevel.Error, "postgres is healthy but its databases could not be created ({Attempts} attempts); the services that need them will not start")]
    public static partial void DatabasesNotCreated(ILogger logger, Exception exception, int attempts);
}
