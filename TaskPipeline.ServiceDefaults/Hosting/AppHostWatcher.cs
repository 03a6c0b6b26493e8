using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.ServiceDefaults.Hosting;

/// <summary>
/// Stops the service when the AppHost that started it dies without stopping it (killed, crashed), so no orphan keeps
/// running on its ports. The AppHost names itself in TASKPIPELINE_APPHOST_PID; outside it this does nothing.
/// </summary>
internal sealed partial class AppHostWatcher(IHostApplicationLifetime lifetime, ILogger<AppHostWatcher> logger) : BackgroundService
{
    public const string ParentPidVariable = "TASKPIPELINE_APPHOST_PID";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(ParentPidVariable), out var pid))
        {
            return;
        }

        Process parent;
        try
        {
            parent = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            LogAppHostGone(logger, pid);
            lifetime.StopApplication();
            return;
        }

        using (parent)
        {
            try
            {
                await parent.WaitForExitAsync(stoppingToken);
            }
            catch (Win32Exception exception)
            {
                // Not allowed to watch it: keep running rather than stop a healthy service.
                LogCannotWatch(logger, pid, exception.Message);
                return;
            }
        }

        LogAppHostGone(logger, pid);
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The AppHost (pid {AppHostPid}) is gone: stopping")]
    private static partial void LogAppHostGone(ILogger logger, int appHostPid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch the AppHost (pid {AppHostPid}): {Reason}")]
    private static partial void LogCannotWatch(ILogger logger, int appHostPid, string reason);
}
