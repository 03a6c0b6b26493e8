namespace TaskPipeline.Tests.Support;

/// <summary>A service project of the solution and its built assembly (the same configuration as the tests).</summary>
internal sealed record ServiceProject(string Name)
{
    public static readonly ServiceProject Consumer = new("TaskPipeline.Consumer");
    public static readonly ServiceProject Producer = new("TaskPipeline.Producer");

    public string ProjectFile => RepositoryFiles.PathOf(Path.Combine(Name, Name + ".csproj"));

    /// <summary>bin/&lt;Configuration&gt;/&lt;framework&gt;/ of the service, mirroring the tests' own output folder.</summary>
    public string AssemblyPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            return RepositoryFiles.PathOf(Path.Combine(Name, "bin", configuration, framework, Name + ".dll"));
        }
    }

    public static ServiceProject Named(string resource) => resource switch
    {
        "consumer" => Consumer,
        "producer" => Producer,
        _ => throw new ArgumentException($"no service named '{resource}' (consumer, producer)", nameof(resource)),
    };
}
