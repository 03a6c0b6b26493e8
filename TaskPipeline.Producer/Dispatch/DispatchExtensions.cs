using Grpc.Core;
using Grpc.Net.ClientFactory;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskPipeline.Contracts;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

internal static class DispatchExtensions
{
    private const string ClientName = nameof(TaskProcessor.TaskProcessorClient);

    private const int MaxMessageSize = 1024 * 1024;

    /// <summary>Queues stored tasks, sends them to the Consumer, and re-sends what the outbox holds too long.</summary>
    public static TBuilder AddTaskDispatch<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddSingleton<DispatchQueue>();
        services.AddSingleton<InFlightTasks>();
        services.AddSingleton<TaskIntake>();

        // Several connections to the Consumer, used in turn (ConsumerClients and Producer:ConsumerConnections say why).
        var names = Enumerable.Range(0, ConnectionCount(builder.Configuration)).Select(connection => $"{ClientName}-{connection}").ToArray();
        foreach (var name in names)
        {
            AddConsumerClient(services, name);
        }

        services.AddSingleton(provider => new ConsumerClients(provider.GetRequiredService<GrpcClientFactory>(), names));

        // The dispatcher drains for a few seconds after generation has stopped.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));
        services.AddHostedService<Dispatcher>();
        services.AddHostedService<OutboxSweeper>();
        return builder;
    }

    /// <summary>Producer:ConsumerConnections as configured; a bad value is reported by options validation at start.</summary>
    private static int ConnectionCount(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        int.TryParse(configuration[$"{ProducerOptions.SectionName}:{nameof(ProducerOptions.ConsumerConnections)}"], out var count)
            ? Math.Clamp(count, 1, ProducerOptions.MaxConsumerConnections)
            : new ProducerOptions().ConsumerConnections;

    private static void AddConsumerClient(IServiceCollection services, string name)
    {
        // The header is made once per client, not per call (options are fixed once the service runs).
        string? authorization = null;
        var grpcClient = services.AddGrpcClient<TaskProcessor.TaskProcessorClient>(name, (provider, client) =>
                client.Address = new Uri(provider.GetRequiredService<IOptions<ProducerOptions>>().Value.ConsumerAddress))
            // A connection is re-opened every ConsumerConnectionLifetime (calls in flight finish on the old one), so the
            // proxy in front of the replicas spreads the connections again: a replica that started or came back later
            // gets its share.
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                PooledConnectionLifetime = provider.GetRequiredService<IOptions<ProducerOptions>>().Value.ConsumerConnectionLifetime,
            })
            // The handler is kept for good: the connection lifetime above already re-opens connections, and the
            // factory's rotation (every 2 minutes) made each of the clients a new handler, connection pool and service
            // discovery resolver, whose disposal and cleanup timers were a good part of an idle Producer's work.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The Consumer takes Submit only from a caller that knows its secret. The secret travels as call credentials
            // on the channel's own transport: plaintext HTTP/2 on loopback and inside a deployment's network, HTTPS when
            // ConsumerAddress says so.
            .AddCallCredentials((_, metadata, provider) =>
            {
                authorization ??= provider.GetRequiredService<IOptions<ProducerOptions>>().Value.ConsumerSecret is { Length: > 0 } secret
                    ? $"Bearer {secret}"
                    : string.Empty;
                if (authorization.Length > 0)
                {
                    metadata.Add("authorization", authorization);
                }

                return Task.CompletedTask;
            })
            .ConfigureChannel(channel =>
            {
                channel.UnsafeUseInsecureChannelCallCredentials = true;
                channel.MaxSendMessageSize = MaxMessageSize;
                channel.MaxReceiveMessageSize = MaxMessageSize;
                // A replica that refuses the connection costs one attempt: the retry is a new HTTP request, which
                // service discovery sends to the next replica.
                channel.ServiceConfig = new ServiceConfig
                {
                    MethodConfigs =
                    {
                        new MethodConfig
                        {
                            Names = { MethodName.Default },
                            RetryPolicy = new RetryPolicy
                            {
                                MaxAttempts = 3,
                                InitialBackoff = TimeSpan.FromMilliseconds(100),
                                MaxBackoff = TimeSpan.FromSeconds(1),
                                BackoffMultiplier = 2,
                                RetryableStatusCodes = { StatusCode.Unavailable },
                            },
                        },
                    },
                };
            });

        // The standard HTTP resilience handler (added to every HttpClient by the service defaults) cannot see gRPC
        // statuses and its timeouts would cut calls short; gRPC retries and deadlines do that job. The service
        // discovery handler is not a resilience handler and stays in the pipeline.
#pragma warning disable EXTEXP0001 // Marked for evaluation, but it is the library's documented way to opt one client out.
        grpcClient.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
