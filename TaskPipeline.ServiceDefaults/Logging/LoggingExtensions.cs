using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.ServiceDefaults.Logging;

internal static class LoggingExtensions
{
    public static void ConfigureLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LogFormatOptions>("Logging");

        // Only the console provider writes to stdout, so with "json" every line the service prints is one JSON object.
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"], LogFormatOptions.Json, StringComparison.Ordinal))
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        // Trace and span ids reach the JSON lines as scopes when a log entry is written inside an activity.
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
    }
}
