using TaskPipeline.AppHost.Hosting;

foreach (var (name, project) in ServiceProjects.All)
{
    Console.WriteLine($"{name}: {project.AssemblyPath}");
}
