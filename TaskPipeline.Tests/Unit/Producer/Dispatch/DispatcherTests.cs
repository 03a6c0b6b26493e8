extern alias producer;

using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using producer::TaskPipeline.Contracts;
using producer::TaskPipeline.Producer;
using producer::TaskPipeline.Producer.Dispatch;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Tests.Unit.Producer.Dispatch;

/// <summary>The Dispatcher against a fake Consumer: what it does with each kind of failed Submit.</summary>
public sealed class DispatcherTests
{
    private const int MaxAttempts = 3;
    private const int BatchTasks = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unknown)]
    [InlineData(StatusCode.DeadlineExceeded)]
    public async Task ABatchFailingWithAnAnswerThatCanBeItsOwnFaultIsGivenBackToTheOutboxAfterMaxAttempts(StatusCode status)
    {
        await using var run = new DispatchRun(_ => throw new RpcException(new Status(status, "boom")));

        await run.DispatchOneBatchAsync();

        Assert.Equal(MaxAttempts, run.Calls);
        // Out of the in-flight set: the outbox sweep sends it again after RedispatchAfter.
        Assert.Equal(0, run.InFlight.Count);
        Assert.Equal(BatchTasks, run.GivenBack(status));
        Assert.Null(run.Loops.FailedLoop);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.ResourceExhausted)]
    public async Task ABatchTheConsumerAsksToSendLaterIsRetriedPastMaxAttemptsUntilTaken(StatusCode status)
    {
        const int Failures = 3 * MaxAttempts;
        await using var run = new DispatchRun(call => call <= Failures
            ? throw new RpcException(new Status(status, "later"))
            : new SubmitReply { Accepted = BatchTasks });

        await run.DispatchOneBatchAsync();

        Assert.Equal(Failures + 1, run.Calls);
        Assert.Equal(0, run.InFlight.Count);
        Assert.Equal(0, run.GivenBack(status));
    }

    [Fact]
    public async Task ADispatchLoopFailingUnexpectedlyStopsTheServiceNamingTheLoop()
    {
        await using var run = new DispatchRun(_ => throw new InvalidOperationException("not a gRPC failure"));

        await run.DispatchOneBatchAsync();

        Assert.Equal("dispatch-0", run.Loops.FailedLoop);
        Assert.True(run.Lifetime.ApplicationStopping.IsCancellationRequested);
    }

    /// <summary>One Dispatcher with one loop, one queued batch, and a Consumer answering each call with <c>answer(call number)</c>.</summary>
    private sealed class DispatchRun : IAsyncDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _givenBack = [];
        private readonly FakeConsumer _consumer;
        private readonly DispatchQueue _queue = new();
        private readonly Dispatcher _dispatcher;

        public DispatchRun(Func<int, SubmitReply> answer)
        {
            _consumer = new FakeConsumer(answer);
            Lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
            Loops = new BackgroundLoops(Lifetime, NullLogger<BackgroundLoops>.Instance);
            var options = Options.Create(new ProducerOptions
            {
                DispatchConcurrency = 1,
                DispatchMaxAttempts = MaxAttempts,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(1),
            });
            var metrics = new ProducerMetrics(_services.GetRequiredService<IMeterFactory>(), new BacklogGate(1000));
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "taskpipeline.producer.tasks.given_back")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var status = (string)tags[0].Value!;
                lock (_givenBack)
                {
                    _givenBack[status] = _givenBack.GetValueOrDefault(status) + value;
                }
            });
            _listener.Start();
            _dispatcher = new Dispatcher(
                _queue, InFlight, new ConsumerClients(_consumer, ["fake"]), options, metrics, TimeProvider.System, Lifetime, Loops,
                NullLogger<Dispatcher>.Instance);
        }

        public InFlightTasks InFlight { get; } = new();

        public ApplicationLifetime Lifetime { get; }

        public BackgroundLoops Loops { get; }

        public int Calls => _consumer.Calls;

        public long GivenBack(StatusCode status)
        {
            lock (_givenBack)
            {
                return _givenBack.GetValueOrDefault(status.ToString());
            }
        }

        /// <summary>Queues one batch, closes the queue, and runs the dispatcher until its loop ends.</summary>
        public async Task DispatchOneBatchAsync()
        {
            var tasks = Enumerable.Range(0, BatchTasks).Select(i => new NewTask(Guid.CreateVersion7(), (short)(i % 10), 1)).ToArray();
            InFlight.Add(tasks);
            _queue.RegisterWriter();
            await _queue.WriteAsync(new TaskBatch(tasks), CancellationToken.None);
            _queue.CompleteWriter();

            await _dispatcher.StartAsync(CancellationToken.None);
            await _dispatcher.ExecuteTask!.WaitAsync(Patience);
        }

        public async ValueTask DisposeAsync()
        {
            await _dispatcher.StopAsync(CancellationToken.None);
            _dispatcher.Dispose();
            _listener.Dispose();
            await _services.DisposeAsync();
        }
    }

    private sealed class FakeConsumer(Func<int, SubmitReply> answer) : GrpcClientFactory
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override TClient CreateClient<TClient>(string name) => (TClient)(object)new TaskProcessor.TaskProcessorClient(new Invoker(this));

        private sealed class Invoker(FakeConsumer consumer) : CallInvoker
        {
            public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
                Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
            {
                var call = Interlocked.Increment(ref consumer._calls);
                var reply = Task.Run(() => (TResponse)(object)consumer.Answer(call));
                return new AsyncUnaryCall<TResponse>(reply, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
            }

            public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
                throw new NotSupportedException();

            public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
                Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

            public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
                Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

            public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
                Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();
        }

        private SubmitReply Answer(int call) => answer(call);
    }
}
