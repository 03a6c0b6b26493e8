using Npgsql;

namespace TaskPipeline.Data;

/// <summary>The one answer to "may trying again fix this?" for every statement on the tasks database.</summary>
public static class DatabaseFailure
{
    /// <summary>
    /// The server or the network failing, a timeout, or PostgreSQL shutting down or starting up: waiting and trying
    /// again can succeed. A statement the server refuses for any other reason (a missing table, a permission) fails
    /// the same way every time, so it is not transient and callers let it surface.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now: a restart in progress. Npgsql counts
        // only the last as transient; to a service that outlives the restart all three are.
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow } => true,
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        _ => false,
    };
}
