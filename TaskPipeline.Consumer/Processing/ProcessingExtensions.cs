using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TaskPipeline.ServiceDefaults.Configuration;
using TaskPipeline.ServiceDefaults.Data;

namespace TaskPipeline.Consumer.Processing;

public static class ProcessingExtensions
{
    /// <summary>A Submit of the largest batch (10,000 tasks of ~25 bytes) fits with room to spare.</summary>
    public const int MaxReceiveMessageSize = 1024 * 1024;

    /// <summary>Replies are a few integers.</summary>
    public const int MaxSendMessageSize = 64 * 1024;

    /// <summary>Time a stop needs beyond the drain: flushing outcomes and releasing leases.</summary>
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(15);

    public static TBuilder AddTaskProcessing<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddValidatedOptions<ConsumerOptions>(ConsumerOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);

        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = MaxSendMessageSize;
            grpc.EnableDetailedErrors = false;
        });

        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            // gRPC frames the message with 5 bytes; the body limit backs up MaxReceiveMessageSize at the transport.
            limits.MaxRequestBodySize = MaxReceiveMessageSize + 5;
            limits.MaxRequestHeadersTotalSize = 32 * 1024;
            limits.MaxConcurrentConnections = 1000;
            limits.Http2.MaxStreamsPerConnection = 100;
            limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;
            limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        });

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
        services.AddSingleton<ReceivedValueTotals>();
        services.AddSingleton<SubmitRateLimiter>();
        services.AddSingleton<TaskStore>();
        services.AddSingleton<WorkQueue>();
        services.AddSingleton<CompletionWriter>();
        services.TryAddSingleton<DatabaseListener>();

        // Hosted services stop in reverse order: workers drain first, then outcomes are written, then what is still
        // held is released.
        services.AddHostedService<CancellationListener>();
        services.AddHostedService<LeaseKeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<CompletionWriter>());
        services.AddHostedService<TaskWorker>();

        return builder;
    }

    public static WebApplication MapTaskProcessing(this WebApplication app)
    {
        app.MapGrpcService<TaskProcessorService>();
        return app;
    }
}
