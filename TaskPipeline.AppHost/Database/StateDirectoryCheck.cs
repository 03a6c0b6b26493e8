using System.Diagnostics;
using System.Globalization;

namespace TaskPipeline.AppHost.Database;

/// <summary>
/// What the local PostgreSQL needs of its state folder, checked before anything starts, each failure one line that
/// names the folder and the fix. Found later, the same faults are an initdb that fails inside DCP's start of the
/// resource, and an app that waits for a database that never comes.
/// </summary>
internal static class StateDirectoryCheck
{
    private const string Setting = "TaskPipeline:Database:StateDirectory";

    /// <summary>
    /// A folder (not a file, anywhere on its path) that this process can create, that no running PostgreSQL uses, and,
    /// when PostgreSQL runs as <paramref name="osUser"/>, that this user can enter through every parent.
    /// </summary>
    public static void Check(string stateDirectory, string? osUser)
    {
        for (var path = stateDirectory; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                throw new AppHostConfigurationException(
                    $"{Setting} {stateDirectory}: {path} is a file, not a folder: choose another folder (--{Setting}=…)");
            }
        }

        var pidFile = Path.Combine(stateDirectory, "data", "postmaster.pid");
        if (File.Exists(pidFile) && RunningPostgres(pidFile) is { } pid)
        {
            throw new AppHostConfigurationException(
                $"{stateDirectory}/data is in use by a running PostgreSQL (pid {pid}), most likely another TaskPipeline AppHost's: " +
                $"stop it, or give this app a folder of its own (--{Setting}=…)");
        }

        try
        {
            LocalPostgresExtensions.CreateDirectory(stateDirectory, LocalPostgresExtensions.StateDirectoryMode);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new AppHostConfigurationException(
                $"{Setting} {stateDirectory} cannot be created ({exception.Message}): choose a folder you may write (--{Setting}=…)");
        }

        if (osUser is not null)
        {
            CheckReachable(stateDirectory, osUser);
        }
    }

    /// <summary>
    /// Every folder from / down to <paramref name="stateDirectory"/> must be searchable by <paramref name="osUser"/>:
    /// asked of the kernel as that user (modes, owners, groups and ACLs all count), in one process.
    /// </summary>
    private static void CheckReachable(string stateDirectory, string osUser)
    {
        var folders = new List<string>();
        for (var path = stateDirectory; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            folders.Insert(0, path);
        }

        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[$"--reuid={osUser}", $"--regid={osUser}", "--init-groups", "--",
            "/bin/sh", "-c", "for d do [ -x \"$d\" ] || { printf '%s' \"$d\"; exit 1; }; done", "sh", .. folders])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new AppHostConfigurationException("cannot start setpriv to check the state folder");
        var closed = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode == 1 && closed.Length > 0)
        {
            throw new AppHostConfigurationException(
                $"the {osUser} OS user (PostgreSQL runs as it when the AppHost runs as root) cannot enter {closed}, on the way to " +
                $"{Setting} {stateDirectory}: choose a folder it can reach (--{Setting}=…), or let it in (chmod o+x {closed})");
        }

        if (process.ExitCode != 0)
        {
            throw new AppHostConfigurationException(
                $"cannot act as the {osUser} OS user ({error}): install PostgreSQL's server package (apt-get install postgresql), which creates it");
        }
    }

    /// <summary>The postmaster's pid in the lock file, when that process is alive and is a postgres.</summary>
    private static int? RunningPostgres(string pidFile)
    {
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && File.Exists($"/proc/{pid}/comm")
                && File.ReadAllText($"/proc/{pid}/comm").Trim() == "postgres"
                ? pid
                : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
