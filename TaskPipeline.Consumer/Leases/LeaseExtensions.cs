using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.Consumer.Leases;

public static class LeaseExtensions
{
    /// <summary>
    /// Keeps this process's claims alive (renewal), ends those of dead owners (expiry), hands back what is unfinished
    /// at stop (release), and stops work on tasks canceled through the API.
    /// </summary>
    public static TBuilder AddTaskLeases<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHostedService<CancellationListener>();
        builder.Services.AddHostedService<LeaseKeeper>();
        return builder;
    }
}
