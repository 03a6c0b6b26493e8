using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.Consumer.Work;

public static class WorkExtensions
{
    /// <summary>The workers: take claimed tasks off the queue, do the simulated work, hand each outcome to completion.</summary>
    public static TBuilder AddTaskWork<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHostedService<TaskWorker>();
        return builder;
    }
}
