using System.Globalization;

namespace TaskPipeline.AppHost.Database;

/// <summary>The PostgreSQL server programs the local server runs: <c>postgres</c> and <c>initdb</c> from one installation.</summary>
internal sealed record PostgresBinaries(string Postgres, string Initdb)
{
    public const string NotFoundMessage =
        "no PostgreSQL to run tasksdb on: no container runtime is running and no PostgreSQL server binaries were found " +
        "(PATH, /usr/lib/postgresql/*/bin). Install them (sudo apt-get install postgresql), start Docker or Podman, " +
        "or set ConnectionStrings:tasksdb to an existing server.";

    private const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>In <paramref name="binDirectory"/> only when given; else PATH, then Debian's versioned folders, newest first.</summary>
    public static PostgresBinaries? Find(string? binDirectory)
    {
        if (!string.IsNullOrWhiteSpace(binDirectory))
        {
            return InDirectory(binDirectory);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var candidates = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).AsEnumerable();
        if (Directory.Exists(DebianRoot))
        {
            candidates = candidates.Concat(Directory.EnumerateDirectories(DebianRoot)
                .OrderByDescending(directory => int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(directory => Path.Combine(directory, "bin")));
        }

        return candidates.Select(InDirectory).FirstOrDefault(found => found is not null);
    }

    private static PostgresBinaries? InDirectory(string directory)
    {
        var postgres = Path.Combine(directory, "postgres");
        var initdb = Path.Combine(directory, "initdb");
        return IsExecutable(postgres) && IsExecutable(initdb) ? new PostgresBinaries(Path.GetFullPath(postgres), Path.GetFullPath(initdb)) : null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
