using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskPipeline.Tests.Unit.ServiceDefaults;

public sealed class BackgroundLoopsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AFailingLoopStopsTheServiceAndItsSiblingsWithExitCode3AndOneErrorNamingIt()
    {
        var logs = new LogLines();
        await using var app = Build(logs, services => services.AddHostedService(provider => new TwoLoops(
            provider.GetRequiredService<BackgroundLoops>(),
            failing: async token =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), token);
                throw new InvalidOperationException("permission denied for table tasks");
            })));

        var loops = app.Services.GetRequiredService<BackgroundLoops>();
        var elapsed = Stopwatch.StartNew();
        var exitCode = await app.RunServiceAsync().WaitAsync(Patience);

        Assert.Equal(BackgroundLoops.LoopFailedExitCode, exitCode);
        // The sibling waits forever on its token: the service stopped it, nothing waited on it.
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"the service took {elapsed.Elapsed} to stop");
        var errors = logs.Errors();
        var error = Assert.Single(errors);
        Assert.Contains("Background loop 'failing' failed; stopping the service (exit code 3)", error, StringComparison.Ordinal);
        Assert.Equal("failing", loops.FailedLoop);
    }

    [Fact]
    public async Task StoppingTheServiceCancelsItsLoopsAndExits0()
    {
        var logs = new LogLines();
        await using var app = Build(logs, services => services.AddHostedService(provider => new TwoLoops(
            provider.GetRequiredService<BackgroundLoops>(),
            failing: token => Task.Delay(Timeout.InfiniteTimeSpan, token))));

        var loops = app.Services.GetRequiredService<BackgroundLoops>();
        var running = app.RunServiceAsync();
        await WaitStartedAsync(app);
        app.Lifetime.StopApplication();

        Assert.Equal(0, await running.WaitAsync(Patience));
        Assert.Empty(logs.Errors());
        Assert.Null(loops.FailedLoop);
    }

    [Fact]
    public async Task ABackgroundServiceFailingOutsideTheLoopsStillExitsNonZero()
    {
        await using var app = Build(new LogLines(), services => services.AddHostedService<Unsupervised>());

        Assert.Equal(BackgroundLoops.LoopFailedExitCode, await app.RunServiceAsync().WaitAsync(Patience));
    }

    private static WebApplication Build(LogLines logs, Action<IServiceCollection> configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<BackgroundLoops>();
        configure(builder.Services);
        return builder.Build();
    }

    private static async Task WaitStartedAsync(WebApplication app)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = app.Lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(Patience);
    }

    /// <summary>A service with two loops, as LeaseKeeper has: one that never ends by itself, and the one under test.</summary>
    private sealed class TwoLoops(BackgroundLoops loops, Func<CancellationToken, Task> failing) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
            Task.WhenAll(
                loops.RunAsync("forever", token => Task.Delay(Timeout.InfiniteTimeSpan, token), stoppingToken),
                loops.RunAsync("failing", failing, stoppingToken));
    }

    private sealed class Unsupervised : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
            throw new InvalidOperationException("not supervised");
        }
    }

    private sealed class LogLines : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Category, string Line)> _lines = new();

        public IReadOnlyList<string> Errors() =>
            [.. _lines.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Category}: {l.Line}")];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogLines lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines._lines.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
