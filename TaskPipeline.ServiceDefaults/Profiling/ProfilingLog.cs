using Microsoft.Extensions.Logging;

namespace TaskPipeline.ServiceDefaults.Profiling;

internal static partial class ProfilingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Profiling: {Profile} taken in {Seconds:0.0} s ({Bytes} bytes)")]
    public static partial void ProfileTaken(ILogger logger, string profile, double seconds, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Profiling: {Profile} failed")]
    public static partial void ProfileFailed(ILogger logger, string profile, Exception exception);
}
