using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed;

/// <summary>
/// The whole app once for a test collection: its own state folder, the app started from the real AppHost through
/// Aspire.Hosting.Testing, and an audit connection to tasksdb; stopped, and its folder removed, after the last test.
/// A subclass gives the AppHost's arguments and what to do around the start and the stop.
/// </summary>
public abstract class WholeAppFixture(string name) : IAsyncLifetime
{
    private readonly string _stateDirectory = TestDirectories.Create(name);

    internal DistributedPipeline App { get; private set; } = null!;

    internal TaskAudit Audit { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await BeforeStartAsync();
        try
        {
            App = await DistributedPipeline.StartAsync(Arguments(), _stateDirectory);
        }
        catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException && StartFailureDetails() is { } details)
        {
            throw new InvalidOperationException($"the app did not start; {details}", exception);
        }

        Audit = new TaskAudit(App.ConnectionString);
        await StartedAsync();
    }

    public async Task DisposeAsync()
    {
        await BeforeStopAsync();
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await StoppedAsync();
        TestDirectories.Delete(_stateDirectory);
    }

    /// <summary>The AppHost's configuration for this app.</summary>
    internal abstract AppArguments Arguments();

    /// <summary>What must run before the app does (a receiver it exports to).</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>What the collection's tests need once the app runs (clients, a settled state).</summary>
    protected virtual Task StartedAsync() => Task.CompletedTask;

    /// <summary>Releases what <see cref="StartedAsync"/> made, while the app still runs.</summary>
    protected virtual Task BeforeStopAsync() => Task.CompletedTask;

    /// <summary>Releases what <see cref="BeforeStartAsync"/> made, once the app has stopped.</summary>
    protected virtual Task StoppedAsync() => Task.CompletedTask;

    /// <summary>What to say when the app did not start (null: the exception says enough).</summary>
    protected virtual string? StartFailureDetails() => null;
}
