namespace TaskPipeline.AppHost.Hosting;

/// <summary>File modes the embedded PostgreSQL needs: a private password, a private data directory, traversable parents.</summary>
internal static class UnixFiles
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes a file only its owner can read (mode 0600 from the start, not chmod after the fact).</summary>
    public static void WritePrivate(string path, string content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = Private,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        // FileMode.Create keeps the mode of a file that already existed.
        File.SetUnixFileMode(path, Private);
    }

    public static void MakePrivate(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        File.SetUnixFileMode(path, Private);
    }

    /// <summary>A directory only its owner can enter (PostgreSQL requires 0700 for its data directory).</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Adds o+x where missing; returns the directories changed.</summary>
    public static IReadOnlyList<string> MakeTraversable(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        var changed = new List<string>();
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            var mode = current.UnixFileMode;
            if ((mode & UnixFileMode.OtherExecute) == 0)
            {
                current.UnixFileMode = mode | UnixFileMode.OtherExecute;
                changed.Add(current.FullName);
            }
        }

        return changed;
    }
}
