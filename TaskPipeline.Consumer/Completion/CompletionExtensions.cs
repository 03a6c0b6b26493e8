using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.Consumer.Completion;

public static class CompletionExtensions
{
    /// <summary>Writes the outcomes of finished attempts in batches: done, back to received, or failed (the dead letter).</summary>
    public static TBuilder AddTaskCompletion<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<CompletionWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CompletionWriter>());
        return builder;
    }
}
