namespace TaskPipeline.AppHost.Database;

/// <summary>
/// A PostgreSQL server run from the machine's own binaries: what Aspire.Hosting.PostgreSQL's container is where no
/// container runtime runs, with the same connection string format.
/// </summary>
internal sealed class LocalPostgresResource(string name, string command, string stateDirectory, ParameterResource password, string adminConnectionString)
    : ExecutableResource(name, command, stateDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    /// <summary>The data directory (PGDATA), the password file and the socket directory live under this.</summary>
    public string StateDirectory { get; } = stateDirectory;

    public string DataDirectory => Path.Combine(StateDirectory, "data");

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    /// <summary>The AppHost's own connection to the <c>postgres</c> database, for health checks and creating databases.</summary>
    public string AdminConnectionString { get; } = adminConnectionString;

    /// <summary>The databases created on this server once it is ready.</summary>
    public List<LocalPostgresDatabaseResource> Databases { get; } = [];
}
