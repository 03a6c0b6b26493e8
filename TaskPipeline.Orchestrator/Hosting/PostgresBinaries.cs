using System.Diagnostics;
using System.Globalization;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>The PostgreSQL server programs the AppHost runs: <c>postgres</c> and <c>initdb</c> from one installation.</summary>
internal sealed record PostgresBinaries(string Postgres, string Initdb, string Source)
{
    /// <summary>Looks only in this directory when set (tests use it to simulate a machine without PostgreSQL).</summary>
    public const string BinDirectoryVariable = "TASKPIPELINE_POSTGRES_BINDIR";

    public const string NotFoundMessage =
        "PostgreSQL server binaries not found (looked in PATH, pg_config --bindir, /usr/lib/postgresql/*/bin). " +
        "Install them with `sudo apt-get install postgresql` (Debian/Ubuntu) or set ConnectionStrings:tasksdb to an existing server.";

    private const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>PATH first, then <c>pg_config --bindir</c>, then Debian's versioned directories, newest first.</summary>
    public static PostgresBinaries? Find()
    {
        if (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } overridden)
        {
            return InDirectory(overridden, BinDirectoryVariable);
        }

        if (Executables.Find("postgres") is { } postgres && Executables.Find("initdb") is { } initdb)
        {
            return new PostgresBinaries(postgres, initdb, "PATH");
        }

        if (PgConfigBinDirectory() is { } bindir && InDirectory(bindir, "pg_config --bindir") is { } fromPgConfig)
        {
            return fromPgConfig;
        }

        if (!Directory.Exists(DebianRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(DebianRoot)
            .Select(directory => (Directory: directory, Version: ParseVersion(Path.GetFileName(directory))))
            .Where(candidate => candidate.Version is not null)
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => InDirectory(Path.Combine(candidate.Directory, "bin"), DebianRoot))
            .FirstOrDefault(found => found is not null);
    }

    private static PostgresBinaries? InDirectory(string directory, string source)
    {
        var postgres = Path.Combine(directory, "postgres");
        var initdb = Path.Combine(directory, "initdb");
        return Executables.IsExecutable(postgres) && Executables.IsExecutable(initdb)
            ? new PostgresBinaries(postgres, initdb, source)
            : null;
    }

    private static string? PgConfigBinDirectory()
    {
        if (Executables.Find("pg_config") is not { } pgConfig)
        {
            return null;
        }

        using var process = Process.Start(new ProcessStartInfo(pgConfig, "--bindir")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        });
        if (process is null)
        {
            return null;
        }

        var output = process.StandardOutput.ReadToEnd();
        // Without server packages pg_config still answers (it ships with libpq-dev); the directory check decides.
        return process.WaitForExit(TimeSpan.FromSeconds(5)) && process.ExitCode == 0 && output.Trim() is { Length: > 0 } bindir
            ? bindir
            : null;
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version)
            ? version
            : int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? new Version(major, 0) : null;
}
