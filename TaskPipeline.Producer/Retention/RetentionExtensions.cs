using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Producer.Retention;

internal static class RetentionExtensions
{
    /// <summary>The Retention section and the job that deletes expired finished tasks and folds the task counters.</summary>
    public static TBuilder AddTaskRetention<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<RetentionOptions>(RetentionOptions.SectionName);
        builder.Services.AddHostedService<RetentionService>();
        return builder;
    }
}
