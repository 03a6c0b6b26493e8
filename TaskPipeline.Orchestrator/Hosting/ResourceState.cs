namespace TaskPipeline.AppHost.Hosting;

internal enum ResourceState
{
    /// <summary>Started, not yet healthy (PostgreSQL: not yet accepting connections).</summary>
    Starting,

    /// <summary>Running and healthy.</summary>
    Running,

    /// <summary>Exited unexpectedly; restarts after its backoff delay.</summary>
    Restarting,

    Stopping,

    /// <summary>Stopped on request; not restarted.</summary>
    Stopped,

    /// <summary>Exited unexpectedly and is not restarted (PostgreSQL).</summary>
    Exited,

    /// <summary>Not run by the AppHost (a PostgreSQL server given by its connection string).</summary>
    External,
}
