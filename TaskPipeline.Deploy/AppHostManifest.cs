using System.Diagnostics;

namespace TaskPipeline.Deploy;

/// <summary>
/// Runs the AppHost's own manifest publisher as a process, as azd does: <c>dotnet &lt;AppHost.dll&gt; --publisher manifest
/// --output-path &lt;tmp&gt;/manifest.json</c> in the AppHost's folder, with any extra AppHost arguments after them. It starts
/// nothing and exits 0.
/// </summary>
internal static class AppHostManifest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<Manifest> PublishAsync(string appHostDll, string manifestPath, IReadOnlyList<string> appHostArguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppHostLocator.ProjectDirectory(appHostDll),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[appHostDll, "--publisher", "manifest", "--output-path", manifestPath, .. appHostArguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the AppHost's manifest publisher did not exit within {Timeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0 || !File.Exists(manifestPath))
        {
            throw new AppHostFailedException($"the AppHost's manifest publisher failed (exit code {process.ExitCode}):\n{await output}{await error}".TrimEnd());
        }

        return Manifest.Load(manifestPath);
    }
}
