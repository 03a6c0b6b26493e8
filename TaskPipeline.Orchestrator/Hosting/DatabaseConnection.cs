using Npgsql;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// The tasks database as Aspire describes a PostgreSQL database resource to a service: the connection string and the
/// per-property variables of Aspire 13. <see cref="ToString"/> masks the password.
/// </summary>
internal sealed class DatabaseConnection
{
    private readonly NpgsqlConnectionStringBuilder builder;

    private DatabaseConnection(NpgsqlConnectionStringBuilder builder) => this.builder = builder;

    public string Host => builder.Host ?? "localhost";

    public int Port => builder.Port;

    public string Username => builder.Username ?? string.Empty;

    public string Password => builder.Password ?? string.Empty;

    public string Database => builder.Database ?? PipelineOptions.DatabaseName;

    /// <summary>Aspire's format: the server's connection string, then <c>;Database=tasksdb</c>.</summary>
    public string ConnectionString { get; private init; } = string.Empty;

    /// <summary>postgresql://user:password@host:port/database, as Aspire's TASKSDB_URI.</summary>
    public string Uri
    {
        get
        {
            var host = Host.Contains(':', StringComparison.Ordinal) && !Host.Contains(',', StringComparison.Ordinal) ? $"[{Host}]" : Host;
            return $"postgresql://{System.Uri.EscapeDataString(Username)}:{System.Uri.EscapeDataString(Password)}@{host}:{Port}/{System.Uri.EscapeDataString(Database)}";
        }
    }

    /// <summary>The server the AppHost runs itself.</summary>
    public static DatabaseConnection ForEmbedded(int port, string password) => new(new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = "postgres",
        Password = password,
        Database = PipelineOptions.DatabaseName,
    })
    {
        // Built by hand to keep Aspire's exact key names and order; the password is generated URL-safe, so it needs no quoting.
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database={PipelineOptions.DatabaseName}",
    };

    /// <summary>A server the user gave (ConnectionStrings:tasksdb); Database defaults to tasksdb.</summary>
    public static DatabaseConnection Parse(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new PipelineStartException($"ConnectionStrings:tasksdb is not a valid PostgreSQL connection string: {exception.Message}");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new PipelineStartException("ConnectionStrings:tasksdb names no Host");
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            builder.Database = PipelineOptions.DatabaseName;
            connectionString = $"{connectionString.TrimEnd(';')};Database={PipelineOptions.DatabaseName}";
        }

        return new DatabaseConnection(builder) { ConnectionString = connectionString };
    }

    /// <summary>The same server with another database (to create the tasks database from the maintenance one).</summary>
    public string ConnectionStringFor(string database, bool pooling = false, int timeoutSeconds = 5) =>
        new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            Database = database,
            Pooling = pooling,
            Timeout = timeoutSeconds,
        }.ConnectionString;

    /// <summary>The connection string with the password replaced, for anything printed.</summary>
    public string Masked => string.IsNullOrEmpty(Password)
        ? ConnectionString
        : ConnectionString.Replace(Password, "****", StringComparison.Ordinal);

    public override string ToString() => Masked;
}
