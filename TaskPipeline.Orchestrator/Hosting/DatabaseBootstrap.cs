using Npgsql;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>Waits for a PostgreSQL server to accept connections and creates the tasks database on it.</summary>
internal static class DatabaseBootstrap
{
    private const string DuplicateDatabase = "42P04";
    private const string InsufficientPrivilege = "42501";
    private const string InvalidCatalogName = "3D000";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Connects until the server answers: true once it does, false when <paramref name="serverAlive"/> says the server
    /// process is gone. Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>, and at once when the
    /// server rejects the credentials (waiting would not help).
    /// </summary>
    public static async Task<bool> WaitUntilAcceptingAsync(
        DatabaseConnection connection, Func<bool> serverAlive, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string? lastError = null;
        while (serverAlive())
        {
            try
            {
                await using var npgsql = new NpgsqlConnection(connection.ConnectionStringFor("postgres", timeoutSeconds: 2));
                await npgsql.OpenAsync(deadline.Token);
                return true;
            }
            catch (PostgresException exception) when (exception.SqlState.StartsWith("28", StringComparison.Ordinal))
            {
                throw new PipelineStartException($"PostgreSQL rejected the credentials: {exception.MessageText}", null, exception);
            }
            catch (NpgsqlException exception)
            {
                // Refused while it starts, or "the database system is starting up" (57P03): not ready yet.
                lastError = exception.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(RetryDelay, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return deadline.IsCancellationRequested
            ? throw new TimeoutException($"did not accept connections within {timeout.TotalSeconds:0} s (last error: {lastError ?? "none"})")
            : false;
    }

    /// <summary>
    /// Creates the database when it is missing. On a server the AppHost does not own the user may lack the right to;
    /// then the database must already exist, which connecting to it shows.
    /// </summary>
    public static async Task EnsureDatabaseAsync(DatabaseConnection connection, ResourceLog log, CancellationToken cancellationToken)
    {
        try
        {
            await using var maintenance = await OpenMaintenanceAsync(connection, cancellationToken);
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", maintenance))
            {
                exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = connection.Database });
                if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return;
                }
            }

            // CREATE DATABASE takes no parameters; the name is quoted as an identifier instead.
            var name = "\"" + connection.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", maintenance);
            await create.ExecuteNonQueryAsync(cancellationToken);
            log.Note($"created database {connection.Database}");
        }
        catch (PostgresException exception) when (exception.SqlState == DuplicateDatabase)
        {
            // Another AppHost created it at the same moment.
        }
        catch (PostgresException exception) when (exception.SqlState is InsufficientPrivilege or InvalidCatalogName)
        {
            log.Note($"cannot create database {connection.Database} ({exception.MessageText}); using it as it is");
        }

        await using var target = new NpgsqlConnection(connection.ConnectionStringFor(connection.Database));
        await target.OpenAsync(cancellationToken);
    }

    private static async Task<NpgsqlConnection> OpenMaintenanceAsync(DatabaseConnection connection, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnection(connection.ConnectionStringFor("postgres"));
        try
        {
            await maintenance.OpenAsync(cancellationToken);
            return maintenance;
        }
        catch (PostgresException exception) when (exception.SqlState == InvalidCatalogName)
        {
            // A server without the "postgres" database: template1 always exists.
            await maintenance.DisposeAsync();
            maintenance = new NpgsqlConnection(connection.ConnectionStringFor("template1"));
            await maintenance.OpenAsync(cancellationToken);
            return maintenance;
        }
        catch
        {
            await maintenance.DisposeAsync();
            throw;
        }
    }
}
