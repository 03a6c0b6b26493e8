using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskPipeline.Consumer.Submit;

public static class SubmitExtensions
{
    /// <summary>A Submit of the largest batch (10,000 tasks of ~25 bytes) fits with room to spare.</summary>
    public const int MaxReceiveMessageSize = 1024 * 1024;

    /// <summary>Replies are a few integers.</summary>
    public const int MaxSendMessageSize = 64 * 1024;

    /// <summary>
    /// The gRPC server of TaskProcessor.Submit: who may call it, how its message is read, validation, rate limit, claim,
    /// and the transport's limits.
    /// </summary>
    public static TBuilder AddTaskSubmit<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
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

        services.AddSingleton<IServiceMethodProvider<TaskProcessorService>, SubmitMethodProvider>();
        services.AddAuthentication(SubmitCallerHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SubmitCallerHandler>(SubmitCallerHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();

        services.AddSingleton<ReceivedValueTotals>();
        services.AddSingleton<SubmitRateLimiter>();
        return builder;
    }

    public static WebApplication MapTaskSubmit(this WebApplication app)
    {
        app.MapGrpcService<TaskProcessorService>().RequireAuthorization();
        return app;
    }
}
