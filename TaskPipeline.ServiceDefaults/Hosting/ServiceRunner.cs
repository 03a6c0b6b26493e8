using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskPipeline.ServiceDefaults.Configuration;

namespace Microsoft.Extensions.Hosting;

public static class ServiceRunner
{
    /// <summary>Exit code for invalid configuration, distinct from a crash.</summary>
    public const int InvalidConfigurationExitCode = 2;

    /// <summary>
    /// Validates every option before anything starts (a bad value stops the service with one line naming the key,
    /// the value and what is allowed), then runs the service until it is told to stop. Returns 0 for a clean stop,
    /// <see cref="InvalidConfigurationExitCode"/> for invalid configuration, and
    /// <see cref="BackgroundLoops.LoopFailedExitCode"/> when a background loop or service failed.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app)
    {
        var errors = Validate(app);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync(error);
            }

            return InvalidConfigurationExitCode;
        }

        // Taken before the run: RunAsync disposes the services when it returns.
        var loops = app.Services.GetService<BackgroundLoops>();
        var backgroundServices = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToArray();
        try
        {
            await app.RunAsync();
        }
        catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Told to stop while still starting (e.g. waiting for the database): a clean stop, not a crash.
        }

        return Failed(loops, backgroundServices) ? BackgroundLoops.LoopFailedExitCode : 0;
    }

    /// <summary>
    /// Whether a background loop failed, or a BackgroundService outside <see cref="BackgroundLoops"/> did (the .NET 10
    /// host logs that and stops, with StopHost, the default, but RunAsync returns as for a clean stop and the exit code
    /// stays 0: a crash would look like a stop to Aspire, Compose and Kubernetes, and nobody would restart it).
    /// </summary>
    private static bool Failed(BackgroundLoops? loops, BackgroundService[] backgroundServices) =>
        loops?.FailedLoop is not null || backgroundServices.Any(service => service.ExecuteTask?.IsFaulted == true);

    private static List<string> Validate(WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (OptionsValidationException exception)
        {
            return [.. ConfigurationErrors.Describe(exception, app.Configuration)];
        }
        catch (AggregateException exception) when (exception.InnerExceptions.All(e => e is OptionsValidationException or InvalidOperationException))
        {
            return [.. exception.InnerExceptions.SelectMany(e => e is OptionsValidationException validation
                ? ConfigurationErrors.Describe(validation, app.Configuration)
                : [$"error: invalid configuration: {e.Message}"])];
        }
        catch (InvalidOperationException exception) when (ConfigurationErrors.IsBindingFailure(exception))
        {
            return [$"error: invalid configuration: {exception.Message}"];
        }
    }
}
