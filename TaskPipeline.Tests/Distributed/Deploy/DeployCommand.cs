using System.Diagnostics;
using TaskPipeline.Deploy;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// Runs the built deployment tool once as a real process (<c>dotnet TaskPipeline.Deploy.dll compose|kubernetes …</c>),
/// which in turn runs the built AppHost's manifest publisher as azd does and translates the manifest.
/// </summary>
internal static class DeployCommand
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ComposeWriter).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"TaskPipeline.Deploy did not exit: {string.Join(' ', arguments)}\n{await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
