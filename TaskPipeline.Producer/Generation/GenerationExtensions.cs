using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.Producer.Generation;

internal static class GenerationExtensions
{
    /// <summary>Generates tasks at Producer:Rate, stores them as received and queues them for dispatch.</summary>
    public static TBuilder AddTaskGeneration<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(services => new TaskGenerator(Random.Shared, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<GenerationService>();
        return builder;
    }
}
