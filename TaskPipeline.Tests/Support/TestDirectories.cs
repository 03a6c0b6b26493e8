namespace TaskPipeline.Tests.Support;

/// <summary>State folders for test apps: under the temp folder, which the postgres OS user can traverse.</summary>
internal static class TestDirectories
{
    public static string Create(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"taskpipeline-{purpose}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the run over it would hide the real result.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
