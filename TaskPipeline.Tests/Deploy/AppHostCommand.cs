using System.Diagnostics;
using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.Tests.Deploy;

/// <summary>
/// Runs the built AppHost once as a real process from its project folder, as azd does
/// (<c>dotnet run --project TaskPipeline.AppHost.csproj --publisher manifest --output-path …</c>; the built assembly, to
/// skip the build check).
/// </summary>
internal static class AppHostCommand
{
    public static string ProjectDirectory { get; } =
        Path.Combine(Path.GetDirectoryName(ServiceProjects.All[PipelineOptions.ConsumerResource].ProjectDirectory)!, "TaskPipeline.Orchestrator");

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(PipelineApp).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the AppHost did not exit: {string.Join(' ', arguments)}\n{await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
