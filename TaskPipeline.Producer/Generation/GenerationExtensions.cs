using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TaskPipeline.Producer.Generation;

internal static class GenerationExtensions
{
    /// <summary>Generates tasks at Producer:Rate, stores them as received and queues them for dispatch.</summary>
    public static TBuilder AddTaskGeneration<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(services =>
        {
            // Validated at start (ProducerOptions.Validate), so the parse does not fail here.
            var weights = services.GetRequiredService<IOptions<ProducerOptions>>().Value.PriorityWeights;
            return PrioritySpread.TryParse(weights, out var priorities, out var error)
                ? new TaskGenerator(Random.Shared, services.GetRequiredService<TimeProvider>(), priorities)
                : throw new InvalidOperationException($"Producer:PriorityWeights {error}");
        });
        builder.Services.AddHostedService<GenerationService>();
        return builder;
    }
}
