namespace TaskPipeline.Tests.Support;

/// <summary>Files of the repository the tests check (the dashboard, the README), found from the test binaries upwards.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TaskPipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no TaskPipeline.sln above {AppContext.BaseDirectory}");
    }
}
