using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Consumer;

public static class ConsumerExtensions
{
    /// <summary>Time a stop needs beyond the drain: flushing outcomes and releasing leases.</summary>
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(15);

    /// <summary>What every stage shares: the Consumer section, who this process is, its metrics and the claims it holds.</summary>
    public static TBuilder AddConsumer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddValidatedOptions<ConsumerOptions>(ConsumerOptions.SectionName, nameof(ConsumerOptions.SubmitSecret))
            .Configure<IHostEnvironment>((options, environment) => options.IsDevelopment = environment.IsDevelopment());
        services.TryAddSingleton(TimeProvider.System);

        // The drain must fit in the host's stop budget. The raw value is read so that a bad one is reported by start-up
        // validation as one line, not thrown from here.
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var drain = TimeSpan.TryParse(configuration[$"{ConsumerOptions.SectionName}:{nameof(ConsumerOptions.DrainTimeout)}"], CultureInfo.InvariantCulture, out var configured)
                && configured >= TimeSpan.Zero && configured <= TimeSpan.FromMinutes(10)
                    ? configured
                    : new ConsumerOptions().DrainTimeout;
            host.ShutdownTimeout = drain + ShutdownMargin;
        });

        services.AddSingleton<ConsumerInstance>();
        services.AddSingleton<ConsumerMetrics>();
        services.AddSingleton<WorkQueue>();
        return builder;
    }
}
