using System.Diagnostics;

namespace TaskPipeline.Tests.Support;

/// <summary>
/// Runs a program to its end as a real process and captures what it prints. One that outlives its time is killed with
/// every process under it, and the test fails with what it printed so far.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Output and error redirected, no shell, the arguments passed as they are.</summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within {timeout.TotalSeconds:0} s:\n{await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
