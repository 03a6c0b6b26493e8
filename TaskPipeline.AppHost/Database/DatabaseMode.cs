namespace TaskPipeline.AppHost.Database;

/// <summary>Where <c>tasksdb</c> comes from.</summary>
internal enum DatabaseMode
{
    /// <summary>ConnectionStrings:tasksdb when set; a container when a container runtime is healthy (always when publishing); else the machine's PostgreSQL.</summary>
    Auto,

    /// <summary>The existing server of ConnectionStrings:tasksdb, used as is.</summary>
    ConnectionString,

    /// <summary>Aspire.Hosting.PostgreSQL's container with a data volume.</summary>
    Container,

    /// <summary>The machine's own PostgreSQL binaries, run by the AppHost as an executable resource.</summary>
    Local,
}
