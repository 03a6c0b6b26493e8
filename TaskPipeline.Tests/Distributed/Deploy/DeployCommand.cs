using TaskPipeline.Deploy;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// Runs the built deployment tool once as a real process (<c>dotnet TaskPipeline.Deploy.dll compose|kubernetes …</c>),
/// which in turn runs the built AppHost's manifest publisher as azd does and translates the manifest.
/// </summary>
internal static class DeployCommand
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(
            ChildProcess.StartInfo("dotnet", [typeof(ComposeWriter).Assembly.Location, .. arguments], Path.GetTempPath()),
            TimeSpan.FromSeconds(120));
}
