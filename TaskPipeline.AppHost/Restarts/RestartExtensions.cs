using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.AppHost.Restarts;

internal static class RestartExtensions
{
    /// <summary>
    /// The local app's restart policy: every resource marked <see cref="WithRestartOnFailure{T}"/> is watched through
    /// Aspire's resource notifications, and one that exits without being asked to is started again with Aspire's own
    /// Start command (README, "Restarts"). Aspire itself leaves such a resource stopped (microsoft/aspire issue 1708).
    /// </summary>
    public static IDistributedApplicationBuilder AddRestartPolicy(this IDistributedApplicationBuilder builder, RestartSettings settings)
    {
        builder.Services.AddSingleton(services => new ResourceRestarter(
            settings,
            services.GetRequiredService<ResourceNotificationService>(),
            services.GetRequiredService<ResourceCommandService>(),
            services.GetRequiredService<ResourceLoggerService>(),
            services.GetRequiredService<IHostApplicationLifetime>(),
            TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>().CreateLogger(AppHostLog.Category)));
        builder.Services.AddSingleton<IHostedService>(services => services.GetRequiredService<ResourceRestarter>());
        // Watching from before the resources start: the first exit can come before any hosted service has started.
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ResourceRestarter>().StartWatching();
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>The resource is restarted when its process exits unexpectedly (by <see cref="AddRestartPolicy"/>'s policy).</summary>
    public static IResourceBuilder<T> WithRestartOnFailure<T>(this IResourceBuilder<T> resource)
        where T : IResource => resource.WithAnnotation(new RestartOnFailureAnnotation());
}
