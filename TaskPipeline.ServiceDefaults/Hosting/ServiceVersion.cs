using System.Reflection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Answers <c>--version</c> (and the seed spec's <c>-version</c>) without starting anything.</summary>
public static class ServiceVersion
{
    public static bool TryPrint(string[] args)
    {
        if (!args.Any(a => a is "--version" or "-version"))
        {
            return false;
        }

        Console.WriteLine(Describe(Assembly.GetEntryAssembly()!));
        return true;
    }

    /// <summary>"TaskPipeline.Consumer 1.0.0 (commit 0123abcd…)", from the informational version the build stamps.</summary>
    public static string Describe(Assembly assembly)
    {
        var name = assembly.GetName().Name;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus >= 0 ? informational[..plus] : informational;
        var commit = plus >= 0 ? informational[(plus + 1)..] : "unknown";
        return $"{name} {version} (commit {commit})";
    }
}
