using System.CommandLine;
using TaskPipeline.AppHost.Publishing;

namespace TaskPipeline.AppHost.Cli;

/// <summary>
/// The root command's action when <c>--publisher</c> is given: describe the app the pipeline options shape, write the
/// files, print where, exit 0. Nothing is started. A bad combination of options or an unwritable path is one line on
/// stderr and exit code 1.
/// </summary>
internal static class PublishCommand
{
    public static async Task<int> RunAsync(ParseResult parseResult, PipelineCliOptions pipeline, PublisherOptions publishing)
    {
        var kind = Publisher.Names[parseResult.GetValue(publishing.Publisher)!];
        try
        {
            var options = pipeline.Bind(parseResult);
            var model = DeploymentModel.From(options, parseResult.GetValue(publishing.ImageRegistry), parseResult.GetValue(publishing.ImageTag) ?? "latest");
            var written = Publisher.Publish(kind, model, parseResult.GetValue(publishing.OutputPath));
            foreach (var file in written)
            {
                await Console.Out.WriteLineAsync($"Published {kind.ToString().ToLowerInvariant()} to: {file}");
            }

            return 0;
        }
        catch (ArgumentException exception)
        {
            var message = exception.ParamName is { } name ? exception.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : exception.Message;
            await Console.Error.WriteLineAsync($"error: {message}");
            return 1;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: cannot write the {kind.ToString().ToLowerInvariant()} output: {exception.Message}");
            return 1;
        }
    }
}
