using System.Reflection;

namespace TaskPipeline.Deploy;

/// <summary>
/// The built AppHost this tool runs: the path stamped at build time (the AppHost project's GetTargetPath, same
/// configuration), else <c>TaskPipeline.AppHost/bin/&lt;Configuration&gt;/net10.0/TaskPipeline.AppHost.dll</c> under the
/// repository root found by walking up to <c>TaskPipeline.sln</c> from the tool's own folder.
/// </summary>
internal static class AppHostLocator
{
    public const string ProjectName = "TaskPipeline.AppHost";
    public const string SolutionFile = "TaskPipeline.sln";

    public static string Find(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new FileNotFoundException($"no AppHost at {explicitPath}");
        }

        var assembly = typeof(AppHostLocator).Assembly;
        var stamped = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(attribute => attribute.Key == "AppHostPath")?.Value;
        if (!string.IsNullOrWhiteSpace(stamped) && File.Exists(stamped))
        {
            return stamped;
        }

        var configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                var candidate = Path.Combine(directory.FullName, ProjectName, "bin", configuration, "net10.0", ProjectName + ".dll");
                return File.Exists(candidate)
                    ? candidate
                    : throw new FileNotFoundException($"the AppHost is not built: {candidate} (dotnet build {ProjectName} -c {configuration})");
            }
        }

        throw new FileNotFoundException($"no built AppHost: neither the path stamped at build ({stamped}) nor a {SolutionFile} above {AppContext.BaseDirectory}; pass --apphost <dll>");
    }

    /// <summary>The AppHost's project folder (azd's working directory): the one holding its .csproj above the dll.</summary>
    public static string ProjectDirectory(string appHostDll)
    {
        for (var directory = new FileInfo(appHostDll).Directory; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ProjectName + ".csproj")))
            {
                return directory.FullName;
            }
        }

        return Path.GetDirectoryName(appHostDll)!;
    }
}
