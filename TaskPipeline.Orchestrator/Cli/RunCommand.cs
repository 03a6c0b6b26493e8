using System.CommandLine;
using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Cli;

/// <summary>
/// Running the pipeline, the root command's action: start everything, print the resource table, run until Ctrl+C or
/// SIGTERM, stop everything, exit 0. A start-up failure is one line on stderr and exit code 1.
/// </summary>
internal static class RunCommand
{
    public static RootCommand Create(PipelineCliOptions pipeline)
    {
        var root = new RootCommand("Runs TaskPipeline locally: PostgreSQL, the consumers and the producers, supervised, until Ctrl+C.");
        foreach (var option in pipeline.All)
        {
            root.Options.Add(option);
        }

        // Publishing is an option of the root command, not a subcommand: azd runs the AppHost with --publisher manifest.
        var publishing = new PublisherOptions();
        foreach (var option in publishing.All)
        {
            root.Options.Add(option);
        }

        root.SetAction((parseResult, _) => parseResult.GetValue(publishing.Publisher) is null
            ? RunAsync(pipeline.Bind(parseResult))
            : PublishCommand.RunAsync(parseResult, pipeline, publishing));
        return root;
    }

    private static async Task<int> RunAsync(PipelineOptions options)
    {
        using var shutdown = new ShutdownSignal();
        PipelineApp app;
        try
        {
            app = await PipelineApp.StartAsync(options, shutdown.Token);
        }
        catch (OperationCanceledException) when (shutdown.IsRequested)
        {
            return 0;
        }
        catch (PipelineStartException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Summary}");
            return 1;
        }
        catch (ArgumentException exception)
        {
            // Options the parser accepted but the pipeline does not (producers without consumers).
            var message = exception.ParamName is { } name ? exception.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : exception.Message;
            await Console.Error.WriteLineAsync($"error: {message}");
            return 1;
        }

        await using (app)
        {
            Console.WriteLine("Press Ctrl+C to stop.");
            await shutdown.WaitAsync();
            Console.WriteLine("Stopping: producers, then consumers, then PostgreSQL…");
            await app.StopAsync(CancellationToken.None);
        }

        Console.WriteLine("Stopped.");
        return 0;
    }
}
