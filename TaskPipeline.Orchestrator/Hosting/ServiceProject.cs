namespace TaskPipeline.AppHost.Hosting;

/// <summary>A service project the AppHost launches: its project file and the assembly its build produced.</summary>
internal sealed record ServiceProject(string ProjectFile, string AssemblyPath)
{
    public string ProjectDirectory => Path.GetDirectoryName(ProjectFile)!;
}
