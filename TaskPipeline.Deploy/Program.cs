using TaskPipeline.Deploy;

// Compose and Kubernetes outputs from the AppHost's application model (its Aspire manifest): usage in CommandLine.Usage.
if (args is ["--help" or "-h" or "help", ..])
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

CommandLine command;
try
{
    command = CommandLine.Parse(args);
}
catch (ArgumentException exception)
{
    await Console.Error.WriteLineAsync($"error: {exception.Message}\n\n{CommandLine.Usage}");
    return 1;
}

var work = Path.Combine(Path.GetTempPath(), $"taskpipeline-deploy-{Guid.NewGuid():N}");
try
{
    var appHost = AppHostLocator.Find(command.AppHost);
    var manifest = await AppHostManifest.PublishAsync(appHost, Path.Combine(work, "manifest.json"), command.AppHostArguments, CancellationToken.None);
    var deployment = new Deployment(manifest, command.Settings);
    var written = command.Target == DeployTarget.Compose
        ? ComposeWriter.Write(deployment, command.OutputPath)
        : KubernetesWriter.Write(deployment, command.OutputPath);
    foreach (var file in written)
    {
        Console.WriteLine($"Published {command.Target.ToString().ToLowerInvariant()} to: {file}");
    }

    return 0;
}
catch (Exception exception) when (exception is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or AppHostFailedException or TimeoutException)
{
    await Console.Error.WriteLineAsync($"error: {exception.Message}");
    return 1;
}
finally
{
    if (Directory.Exists(work))
    {
        Directory.Delete(work, recursive: true);
    }
}
