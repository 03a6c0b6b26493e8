using System.Runtime.InteropServices;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>The <c>dotnet</c> muxer the services are run with: the one running the AppHost when it can be found.</summary>
internal static class DotNetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        // Under `dotnet run` the AppHost is its native launcher, not dotnet; under tests it is dotnet itself.
        if (Environment.ProcessPath is { } processPath && System.IO.Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        foreach (var candidate in new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? System.IO.Path.Combine(root, "dotnet") : null,
            // <root>/shared/Microsoft.NETCore.App/<version>/ is where the running runtime lives.
            System.IO.Path.GetFullPath(System.IO.Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        })
        {
            if (candidate is not null && Executables.IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return Executables.Find("dotnet") ?? "dotnet";
    }
}
