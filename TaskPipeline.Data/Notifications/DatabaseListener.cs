using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Data.Notifications;

/// <summary>
/// LISTENs on one channel over a dedicated connection (not pooled: a pooled connection would carry the LISTEN to
/// whoever takes it next) and reconnects with backoff when the connection or the server goes away. Notifications
/// sent while it was disconnected are lost, so callers catch up in <c>onListening</c>, which runs after every LISTEN.
/// </summary>
public sealed partial class DatabaseListener(IOptions<TasksDatabaseOptions> options, TimeProvider time, ILogger<DatabaseListener> logger)
{
    /// <summary>An idle connection is checked this often, so a dead one is noticed and replaced.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Listens until <paramref name="cancellationToken"/> is canceled. <paramref name="onNotification"/> gets each payload
    /// on the connection's thread: it must not block.
    /// </summary>
    public async Task ListenAsync(string channel, Action<string> onNotification, Action onListening, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        ArgumentNullException.ThrowIfNull(onNotification);
        ArgumentNullException.ThrowIfNull(onListening);

        var connectionString = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { Pooling = false }.ConnectionString;
        var backoff = new RetryBackoff(FirstRetryDelay, MaxRetryDelay, Random.Shared);
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    connection.Notification += (_, notification) => onNotification(notification.Payload);
                    await connection.OpenAsync(cancellationToken);
                    await using (var listen = new NpgsqlCommand($"LISTEN {Quote(channel)}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken);
                    }

                    if (failures > 0)
                    {
                        LogListeningAgain(logger, channel, failures);
                    }

                    failures = 0;
                    onListening();
                    await WaitLoopAsync(connection, cancellationToken);
                }
                catch (Exception exception) when (DatabaseFailure.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
                {
                    var delay = backoff.Next(failures);
                    if (failures++ == 0)
                    {
                        LogListenFailed(logger, channel, delay.TotalMilliseconds, exception.Message);
                    }

                    await Task.Delay(delay, time, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task WaitLoopAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await connection.WaitAsync(KeepAliveInterval, cancellationToken))
            {
                // Nothing arrived for a while: a round trip proves the connection (and the LISTEN on it) still stands.
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for {Channel} notifications failed; reconnecting in {DelayMs:0} ms: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, string channel, double delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for {Channel} notifications again after {Failures} failed attempt(s)")]
    private static partial void LogListeningAgain(ILogger logger, string channel, int failures);
}
