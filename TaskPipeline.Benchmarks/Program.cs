using System.CommandLine;
using TaskPipeline.Benchmarks;

// dotnet run -c Release --project TaskPipeline.Benchmarks -- --workload max|steady|scale|ceiling|all [--tasks N] [--output file]
// The AppHost runs in this process (Aspire.Hosting.Testing). Its dashboard (--telemetry) refuses to start when the
// current folder holds a service's appsettings.json, so the benchmark works from the AppHost's folder; relative paths
// on the command line are resolved before that.
if (args is [ReferenceClient.Command, ..])
{
    // The steady workload's reference, started by the benchmark as a process of its own (NaiveReference).
    return await ReferenceClient.RunAsync(args);
}

var root = BenchCommand.Create();
var parsed = root.Parse(args);
var appHost = Projects.TaskPipeline_AppHost.ProjectPath;
Directory.SetCurrentDirectory(File.Exists(appHost) ? Path.GetDirectoryName(appHost)! : appHost);
return await parsed.InvokeAsync(new InvocationConfiguration
{
    // Ctrl+C cancels the run, which then stops the app (services, then PostgreSQL) before the process ends.
    ProcessTerminationTimeout = TimeSpan.FromSeconds(90),
});
