using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.Producer.Scheduling;

internal static class SchedulingExtensions
{
    /// <summary>Dispatches delayed tasks when they are due.</summary>
    public static TBuilder AddTaskScheduling<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<ScheduleSignal>();
        builder.Services.AddHostedService<SchedulerService>();
        return builder;
    }
}
