using System.Globalization;

namespace TaskPipeline.ServiceDefaults.Profiling;

/// <summary>Profiles are written to temporary files, streamed to the client, and deleted once sent (or on failure).</summary>
internal static class ProfileFiles
{
    public static string NewPath(string extension) =>
        Path.Combine(Path.GetTempPath(), $"taskpipeline-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}{extension}");

    /// <summary>Opens a finished profile for the response; the file is deleted when the response is done with it.</summary>
    public static FileStream OpenAndDeleteOnClose(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    public static void Delete(string? path)
    {
        if (path is not null && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>"consumer-4242-20260101T120000Z.nettrace": which service, which process, when.</summary>
    public static string DownloadName(string service, DateTimeOffset now, string extension) =>
        $"{service}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}{extension}";
}
