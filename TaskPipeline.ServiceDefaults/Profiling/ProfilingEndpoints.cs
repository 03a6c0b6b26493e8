using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>
/// The profiling endpoint, .NET's counterpart of Go's pprof: served only on Profiling:Port, loopback unless
/// Profiling:Host says otherwise. Every profile is of the service's own process, through the runtime's diagnostic port
/// (Microsoft.Diagnostics.NETCore.Client), one at a time.
/// </summary>
internal static class ProfilingEndpoints
{
    public const string RoutePrefix = "/debug";
    public const int MaxSeconds = 300;
    public const int DefaultSeconds = 30;

    private const string Octets = "application/octet-stream";
    private const string Json = "application/json";

    private static readonly object Index = new
    {
        Endpoints = new[]
        {
            new { Path = $"{RoutePrefix}/cpu?seconds={DefaultSeconds}", Returns = "CPU samples of every thread for N seconds (1-300) as .nettrace (PerfView, Visual Studio, dotnet-trace convert)" },
            new { Path = $"{RoutePrefix}/cpu?seconds={DefaultSeconds}&format=speedscope", Returns = "the same profile as speedscope JSON (a flame graph at https://www.speedscope.app)" },
            new { Path = $"{RoutePrefix}/gcdump", Returns = "managed heap snapshot as .nettrace (dotnet-gcdump convert → .gcdump)" },
            new { Path = $"{RoutePrefix}/gcdump?format=json", Returns = "the heap snapshot summed by type: count and bytes, largest first" },
            new { Path = $"{RoutePrefix}/dump?type=full", Returns = "process dump (full, heap, mini or triage) for dotnet-dump analyze" },
            new { Path = $"{RoutePrefix}/counters", Returns = "runtime counters as JSON: GC, thread pool, allocation rate, exceptions" },
        },
    };

    public static void AddProfiling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RuntimeCounters>();
        builder.Services.AddSingleton<ProfilingGate>();
    }

    public static IEndpointRouteBuilder MapProfilingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(RoutePrefix);
        group.MapGet("/", () => TypedResults.Ok(Index));
        group.MapGet("/counters", (RuntimeCounters counters) => TypedResults.Ok(counters.Read()));
        group.MapGet("/cpu", CpuAsync);
        group.MapGet("/gcdump", GcDumpAsync);
        group.MapGet("/dump", DumpAsync);
        return endpoints;
    }

    private static Task<IResult> CpuAsync(string? seconds, string? format, HttpContext context)
    {
        if (!TryParseSeconds(seconds, out var duration, out var secondsError))
        {
            return Task.FromResult<IResult>(Invalid("seconds", secondsError));
        }

        var speedscope = format?.ToLowerInvariant() switch
        {
            null or "" or "nettrace" => (bool?)false,
            "speedscope" => true,
            _ => null,
        };
        if (speedscope is not { } toSpeedscope)
        {
            return Task.FromResult<IResult>(Invalid("format", $"'{format}' is not a format: use nettrace (default) or speedscope"));
        }

        var profile = toSpeedscope ? "CPU profile (speedscope)" : "CPU profile";
        return RunAsync(context, profile, ".nettrace", async (path, cancellationToken) =>
        {
            await CpuProfiler.CollectAsync(path, duration, cancellationToken);
            if (!toSpeedscope)
            {
                return new Download(path, Octets, ".nettrace");
            }

            var json = ProfileFiles.NewPath(".speedscope.json");
            try
            {
                // Building the trace log reads the whole file: CPU-bound, off the request thread.
                await Task.Run(() => CpuProfiler.ConvertToSpeedscope(path, json), cancellationToken);
            }
            catch
            {
                ProfileFiles.Delete(json);
                throw;
            }

            ProfileFiles.Delete(path);
            return new Download(json, Json, ".speedscope.json");
        });
    }

    private static Task<IResult> GcDumpAsync(string? format, HttpContext context)
    {
        var asJson = format?.ToLowerInvariant() switch
        {
            null or "" or "nettrace" => (bool?)false,
            "json" => true,
            _ => null,
        };
        if (asJson is not { } report)
        {
            return Task.FromResult<IResult>(Invalid("format", $"'{format}' is not a format: use nettrace (default) or json"));
        }

        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        return RunAsync(context, "heap snapshot", ".nettrace", async (path, cancellationToken) =>
        {
            var heap = await HeapSnapshot.CollectAsync(path, time, cancellationToken);
            return report ? new Download(path, Json, ".json", heap) : new Download(path, Octets, ".gcdump.nettrace");
        });
    }

    private static Task<IResult> DumpAsync(string? type, HttpContext context)
    {
        var name = string.IsNullOrEmpty(type) ? "full" : type;
        if (!ProcessDumper.Types.TryGetValue(name, out var dumpType))
        {
            return Task.FromResult<IResult>(Invalid("type", $"'{type}' is not a dump type: use {string.Join(", ", ProcessDumper.Types.Keys)}"));
        }

        return RunAsync(context, $"{name.ToLowerInvariant()} dump", ".dmp", async (path, cancellationToken) =>
        {
            await ProcessDumper.WriteAsync(dumpType, path, cancellationToken);
            return new Download(path, Octets, ".dmp");
        });
    }

    /// <summary>
    /// Runs one profile under the gate into a temporary file and returns it as a download (deleted once sent), or its
    /// JSON report. 409 while another profile runs; 500 with the reason when the runtime refuses or fails.
    /// </summary>
    private static async Task<IResult> RunAsync(
        HttpContext context, string profile, string extension, Func<string, CancellationToken, Task<Download>> take)
    {
        var services = context.RequestServices;
        var gate = services.GetRequiredService<ProfilingGate>();
        if (!gate.TryEnter())
        {
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Another profile is being taken",
                detail: "One profile at a time: try again when the running one has finished.");
        }

        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProfilingEndpoints).FullName!);
        var path = ProfileFiles.NewPath(extension);
        string? keep = null;
        try
        {
            var started = time.GetTimestamp();
            var download = await take(path, context.RequestAborted);
            keep = download.Path;
            var seconds = time.GetElapsedTime(started).TotalSeconds;
            var bytes = new FileInfo(download.Path).Length;
            ProfilingLog.ProfileTaken(logger, profile, seconds, bytes);
            if (download.Report is { } report)
            {
                return TypedResults.Ok(report);
            }

            var stream = ProfileFiles.OpenAndDeleteOnClose(download.Path);
            keep = null;
            var name = ProfileFiles.DownloadName(ServiceName(services), time.GetUtcNow(), download.Extension);
            return TypedResults.File(stream, download.ContentType, name);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to answer.
            return TypedResults.Empty;
        }
        catch (Exception exception) when (exception is DiagnosticsClientException or IOException or TimeoutException or InvalidOperationException
            or UnauthorizedAccessException or EndOfStreamException)
        {
            ProfilingLog.ProfileFailed(logger, profile, exception);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: $"The {profile} could not be taken",
                detail: exception.Message);
        }
        finally
        {
            ProfileFiles.Delete(path);
            ProfileFiles.Delete(keep);
            gate.Exit();
        }
    }

    private static bool TryParseSeconds(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.FromSeconds(DefaultSeconds);
        error = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > MaxSeconds)
        {
            error = $"'{text}' is not a whole number of seconds from 1 to {MaxSeconds}";
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static ValidationProblem Invalid(string parameter, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [parameter] = [error] });

    private static string ServiceName(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>()["OTEL_SERVICE_NAME"] is { Length: > 0 } name
            ? name
            : services.GetRequiredService<IHostEnvironment>().ApplicationName;

    /// <param name="Path">The file to send (or, with a report, the raw events kept only until the answer is written).</param>
    private sealed record Download(string Path, string ContentType, string Extension, HeapReport? Report = null);
}
