using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskPipeline.Tests.Otlp;
using LogsService = TaskPipeline.Tests.Otlp.Logs;
using MetricsService = TaskPipeline.Tests.Otlp.Metrics;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>
/// An OTLP/gRPC collector for tests: Kestrel on a loopback port, plaintext HTTP/2, implementing the trace, metrics and
/// logs Export calls the services' OpenTelemetry exporter makes. It keeps every span it receives, and the text of
/// every export (spans, metrics, log records) for tests that search all of it.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri endpoint, SpanStore spans, ExportedText exports)
    {
        _app = app;
        Endpoint = endpoint;
        Store = spans;
        Exports = exports;
    }

    public Uri Endpoint { get; }

    public SpanStore Store { get; }

    public ExportedText Exports { get; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 64 * 1024 * 1024);
        var spans = new SpanStore();
        builder.Services.AddSingleton(spans);
        var exports = new ExportedText();
        builder.Services.AddSingleton(exports);

        var app = builder.Build();
        app.MapGrpcService<TraceExport>();
        app.MapGrpcService<MetricsExport>();
        app.MapGrpcService<LogsExport>();
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new OtlpReceiver(app, new Uri(addresses.First(address => address.Contains("127.0.0.1", StringComparison.Ordinal))), spans, exports);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed class SpanStore
    {
        private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

        public IReadOnlyList<ReceivedSpan> Snapshot() => [.. _spans];

        public void Add(ExportTraceServiceRequest request)
        {
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var service = Text(resourceSpans.Resource?.Attributes, "service.name") ?? string.Empty;
                foreach (var scopeSpans in resourceSpans.ScopeSpans)
                {
                    var scope = scopeSpans.Scope?.Name ?? string.Empty;
                    foreach (var span in scopeSpans.Spans)
                    {
                        _spans.Enqueue(new ReceivedSpan(
                            service,
                            scope,
                            span.Name,
                            span.Kind,
                            Hex(span.TraceId),
                            Hex(span.SpanId),
                            Hex(span.ParentSpanId),
                            span.Attributes.ToDictionary(attribute => attribute.Key, attribute => Format(attribute.Value)),
                            [.. span.Links.Select(link => (Hex(link.TraceId), Hex(link.SpanId)))]));
                    }
                }
            }
        }

        private static string? Text(IEnumerable<KeyValue>? attributes, string key) =>
            attributes?.FirstOrDefault(attribute => attribute.Key == key) is { } found ? Format(found.Value) : null;

        private static string Format(AnyValue? value) => value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BytesValue => Hex(value.BytesValue),
            _ => string.Empty,
        };

        private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
    }

    /// <summary>
    /// Every export's bytes read as UTF-8: the strings inside (names, attributes, log bodies) are UTF-8 in the wire format,
    /// and this keeps them even where the test's OTLP messages declare no fields (metrics and logs are kept as unknown fields).
    /// </summary>
    internal sealed class ExportedText
    {
        private readonly ConcurrentQueue<string> _texts = new();

        public void Add(IMessage export) => _texts.Enqueue(System.Text.Encoding.UTF8.GetString(export.ToByteArray()));

        public IReadOnlyList<string> Snapshot() => [.. _texts];
    }

    private sealed class TraceExport(SpanStore spans, ExportedText exports) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            spans.Add(request);
            exports.Add(request);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    private sealed class MetricsExport(ExportedText exports) : MetricsService.MetricsService.MetricsServiceBase
    {
        public override Task<MetricsService.ExportMetricsServiceResponse> Export(MetricsService.ExportMetricsServiceRequest request, ServerCallContext context)
        {
            exports.Add(request);
            return Task.FromResult(new MetricsService.ExportMetricsServiceResponse());
        }
    }

    private sealed class LogsExport(ExportedText exports) : LogsService.LogsService.LogsServiceBase
    {
        public override Task<LogsService.ExportLogsServiceResponse> Export(LogsService.ExportLogsServiceRequest request, ServerCallContext context)
        {
            exports.Add(request);
            return Task.FromResult(new LogsService.ExportLogsServiceResponse());
        }
    }
}
