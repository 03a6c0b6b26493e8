namespace TaskPipeline.Tests.Support;

/// <summary>Runs a built service once as a real process and captures what it prints.</summary>
internal static class ServiceCommand
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(
        string service, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var project = ServiceProject.Named(service);
        var start = ChildProcess.StartInfo("dotnet", [project.AssemblyPath, .. arguments], Path.GetDirectoryName(project.AssemblyPath));
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return ChildProcess.RunAsync(start, timeout ?? TimeSpan.FromSeconds(30));
    }
}
