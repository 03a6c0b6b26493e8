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

    [LoggerMessage(10, LogLevel.Error,
        "{Resource} exited unexpectedly ({State}, exit code {ExitCode}); restart {Restart} of {MaxRestarts} within {Window} in {Delay}. Its last lines:{LastLines}")]
    public static partial void ExitedRestarting(ILogger logger, string resource, string state, string exitCode, int restart, int maxRestarts, TimeSpan window, TimeSpan delay, string lastLines);

    [LoggerMessage(11, LogLevel.Error,
        "{Resource} exited unexpectedly ({State}, exit code {ExitCode}) after {MaxRestarts} restarts within {Window}: not restarted again (TaskPipeline:Restart); start it from the dashboard once the cause is fixed. Its last lines:{LastLines}")]
    public static partial void RestartsExhausted(ILogger logger, string resource, string state, string exitCode, int maxRestarts, TimeSpan window, string lastLines);

    [LoggerMessage(12, LogLevel.Error,
        "{Resource} exited unexpectedly ({State}, exit code {ExitCode}); not restarted (TaskPipeline:Restart:Policy=Never): its console log says why")]
    public static partial void ExitedNotRestarted(ILogger logger, string resource, string state, string exitCode);

    [LoggerMessage(13, LogLevel.Information, "{Resource} restarted (restart {Restarts} since the app started; it had exited with code {ExitCode})")]
    public static partial void Restarted(ILogger logger, string resource, int restarts, string exitCode);

    [LoggerMessage(14, LogLevel.Error, "{Resource} could not be restarted: {Reason}")]
    public static partial void RestartFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(15, LogLevel.Critical, "The restart policy failed while handling {Resource}; stopping the app")]
    public static partial void RestarterFailed(ILogger logger, Exception exception, string resource);

    // In the resource's own console log (the dashboard's Console logs page), beside what the process wrote.
    [LoggerMessage(16, LogLevel.Warning, "[restart] exited ({State}, exit code {ExitCode}); restart {Restart} of {MaxRestarts} within {Window} in {Delay}")]
    public static partial void ResourceRestarting(ILogger logger, string state, string exitCode, int restart, int maxRestarts, TimeSpan window, TimeSpan delay);

    [LoggerMessage(17, LogLevel.Error, "[restart] exited ({State}, exit code {ExitCode}) after {MaxRestarts} restarts within {Window}: not restarted again")]
    public static partial void ResourceRestartsExhausted(ILogger logger, string state, string exitCode, int maxRestarts, TimeSpan window);
}
