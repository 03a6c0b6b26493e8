using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskPipeline.Producer.Data;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Producer.Generation;

internal static class GenerationExtensions
{
    /// <summary>Generates tasks at Producer:Rate, stores them as received and queues them for dispatch.</summary>
    public static TBuilder AddTaskGeneration<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProducerCore();
        builder.Services.TryAddSingleton(services => new TaskGenerator(Random.Shared, services.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<TaskWriter>();
        builder.Services.TryAddSingleton<BacklogQuery>();
        builder.Services.AddHostedService<GenerationService>();
        return builder;
    }

    /// <summary>What generation and dispatch share; safe to call more than once.</summary>
    internal static IServiceCollection AddProducerCore(this IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(BacklogGate)))
        {
            return services;
        }

        services.AddValidatedOptions<ProducerOptions>(ProducerOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(services => new BacklogGate(services.GetRequiredService<IOptions<ProducerOptions>>().Value.MaxBacklog));
        services.TryAddSingleton<ProducerMetrics>();
        services.TryAddSingleton<DispatchQueue>();
        services.TryAddSingleton<InFlightTasks>();
        return services;
    }
}
