using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Producer;

internal static class ProducerExtensions
{
    /// <summary>What generation, dispatch and the API share: the Producer section, the backlog, generation's progress and the metrics.</summary>
    public static TBuilder AddProducer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddValidatedOptions<ProducerOptions>(ProducerOptions.SectionName, nameof(ProducerOptions.ConsumerSecret));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new BacklogGate(provider.GetRequiredService<IOptions<ProducerOptions>>().Value.MaxBacklog));
        services.AddSingleton<ProducerMetrics>();
        services.AddSingleton<GenerationProgress>();
        return builder;
    }
}
