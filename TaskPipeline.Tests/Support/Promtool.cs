using System.Diagnostics;

namespace TaskPipeline.Tests.Support;

/// <summary>
/// Prometheus' own tools. The observability tests need them and say so rather than pass without them: CI installs
/// the Debian package (.ci/run), locally <c>apt-get install prometheus</c>.
/// </summary>
internal static class Promtool
{
    public static void RequirePrometheus()
    {
        foreach (var tool in (string[])["prometheus", "promtool"])
        {
            if (Find(tool) is null)
            {
                throw new InvalidOperationException(
                    $"{tool} is not installed: these tests run a real Prometheus; install it with `apt-get install prometheus` (bash .ci/run does)");
            }
        }
    }

    /// <summary><c>promtool check metrics</c> on an exposition (stdin): its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition, CancellationToken cancellationToken)
    {
        RequirePrometheus();
        var startInfo = new ProcessStartInfo(Find("promtool")!)
        {
            ArgumentList = { "check", "metrics" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(exposition.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}
