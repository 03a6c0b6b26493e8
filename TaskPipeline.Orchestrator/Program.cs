using System.CommandLine;
using TaskPipeline.AppHost.Cli;

// The AppHost's command line. Running the pipeline is the root command; publishers and subcommands are
// added here as they come, reusing the pipeline options.
var pipelineOptions = new PipelineCliOptions();
var root = RunCommand.Create(pipelineOptions);

return await root.Parse(args).InvokeAsync(new InvocationConfiguration
{
    // Shutdown is the AppHost's own (producers, consumers, then PostgreSQL), not System.CommandLine's 2-second default.
    ProcessTerminationTimeout = null,
});
