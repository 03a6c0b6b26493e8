using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace TaskPipeline.Benchmarks;

/// <summary>What was measured with what: the build configuration and commit, and the machine.</summary>
internal static class BuildInfo
{
    private static readonly Assembly Assembly = typeof(BuildInfo).Assembly;

    /// <summary>Debug or Release; the services are built with the AppHost's configuration.</summary>
    public static string Configuration => Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";

    public static bool IsRelease => string.Equals(Configuration, "Release", StringComparison.OrdinalIgnoreCase);

    /// <summary>The git commit stamped into the informational version (1.0.0+&lt;sha&gt;).</summary>
    public static string Commit
    {
        get
        {
            var version = Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? string.Empty;
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus >= 0 ? version[(plus + 1)..] : "unknown";
        }
    }

    public static string Runtime => RuntimeInformation.FrameworkDescription;

    public static string Os => RuntimeInformation.OSDescription;

    /// <summary>The 1-minute load average (runnable processes), or -1 where /proc/loadavg does not exist.</summary>
    public static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
