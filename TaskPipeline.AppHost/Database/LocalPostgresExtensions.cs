using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskPipeline.AppHost.Restarts;

namespace TaskPipeline.AppHost.Database;

internal static class LocalPostgresExtensions
{
    /// <summary>The OS user PostgreSQL runs as when the AppHost runs as root (PostgreSQL refuses to run as root).</summary>
    private const string OsUser = "postgres";

    /// <summary>The postgres OS user must reach its data directory through the state folder; the password file stays private.</summary>
    public const UnixFileMode StateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// PostgreSQL from the machine's binaries as an Aspire executable resource: initdb on first start into a state
    /// directory kept across runs (unless <see cref="DatabaseSettings.Fresh"/>), a generated password kept beside it and
    /// passed as a secret parameter, loopback only, health-checked so that WaitFor works.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, DatabaseSettings settings)
    {
        var binaries = PostgresBinaries.Find(settings.BinDirectory) ?? throw new AppHostConfigurationException(PostgresBinaries.NotFoundMessage);
        var stateDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(settings.StateDirectory) ? DefaultStateDirectory() : settings.StateDirectory);
        var asRoot = Environment.UserName == "root";
        StateDirectoryCheck.Check(stateDirectory, asRoot ? OsUser : null);
        if (settings.Fresh && Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }

        var password = ReadOrCreatePassword(stateDirectory);
        var passwordParameter = builder.AddParameter($"{name}-password", secret: true);
        builder.Configuration[$"Parameters:{passwordParameter.Resource.Name}"] = password;

        var port = settings.Port > 0 ? settings.Port : LoopbackPort.PickFree();
        var serverConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = LocalPostgresResource.UserName,
            Password = password,
            Database = "postgres",
            Pooling = false,
        }.ConnectionString;
        var server = new LocalPostgresResource(name, asRoot ? "setpriv" : binaries.Postgres, stateDirectory, passwordParameter.Resource, serverConnectionString);
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(serverConnectionString, name: healthCheck);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (_, cancellationToken) =>
            InitDbAsync(server, binaries, password, asRoot, cancellationToken));
        builder.Services.AddSingleton(services => new LocalPostgresLifecycle(
            server,
            services.GetRequiredService<ResourceNotificationService>(),
            services.GetRequiredService<ResourceCommandService>(),
            services.GetRequiredService<DistributedApplicationModel>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(AppHostLog.Category)));
        // Its stop is awaited by the host; its watch starts before the resources do (hosted services start one after
        // another, and Aspire's orchestrator waits there for tasksdb, whose state the watch publishes).
        builder.Services.AddSingleton<IHostedService>(services => services.GetRequiredService<LocalPostgresLifecycle>());
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<LocalPostgresLifecycle>().StartWatching();
            return Task.CompletedTask;
        });

        return builder.AddResource(server)
            // PostgreSQL listens on `port`; with a proxy, DCP picks the port clients use.
            .WithEndpoint(port: settings.Proxied ? null : port, targetPort: port, scheme: "tcp", name: LocalPostgresResource.EndpointName, isProxied: settings.Proxied)
            .WithArgs(ServerArguments(binaries, server, port, asRoot))
            .WithHealthCheck(healthCheck)
            .WithRestartOnFailure()
            .WithIconName("Database")
            .ExcludeFromManifest();
    }

    /// <summary>A database created on the server when it is ready; its state follows the server's.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name, string? databaseName = null)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.Databases.Add(database);

        var connectionString = new NpgsqlConnectionStringBuilder(server.Resource.AdminConnectionString) { Database = database.DatabaseName }.ConnectionString;
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(connectionString, name: healthCheck);

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = new ResourceStateSnapshot(KnownResourceStates.Waiting, KnownResourceStateStyles.Info),
                Properties = [new ResourcePropertySnapshot(CustomResourceKnownProperties.Source, server.Resource.Name)],
            })
            .WithHealthCheck(healthCheck)
            .WithIconName("Database")
            .ExcludeFromManifest();
    }

    private static string[] ServerArguments(PostgresBinaries binaries, LocalPostgresResource server, int port, bool asRoot)
    {
        string[] arguments =
        [
            "-D", server.DataDirectory,
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            // TCP only: no socket directory to create (Debian's default one may not exist) or clean up.
            "-c", "unix_socket_directories=",
            // Room for every replica's connection pool under load (PostgreSQL's default is 100).
            "-c", "max_connections=300",
        ];
        // setpriv executes postgres in its own place (runuser and su fork), so the pid DCP tracks and signals is postgres'.
        return asRoot ? [$"--reuid={OsUser}", $"--regid={OsUser}", "--init-groups", "--", binaries.Postgres, .. arguments] : arguments;
    }

    /// <summary>initdb when the data directory holds no cluster yet (the first start, or after a fresh start).</summary>
    private static async Task InitDbAsync(LocalPostgresResource server, PostgresBinaries binaries, string password, bool asRoot, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(server.DataDirectory))
        {
            // What an interrupted initdb leaves; initdb wants it empty.
            Directory.Delete(server.DataDirectory, recursive: true);
        }

        CreateDirectory(server.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(server.StateDirectory, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        MakePrivate(passwordFile);
        try
        {
            if (asRoot)
            {
                await RunAsync("chown", ["-R", $"{OsUser}:", server.DataDirectory, passwordFile], cancellationToken);
            }

            string[] initdb = [binaries.Initdb, "-D", server.DataDirectory, "-U", LocalPostgresResource.UserName,
                "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C"];
            await RunAsync(asRoot ? "setpriv" : initdb[0], asRoot ? [$"--reuid={OsUser}", $"--regid={OsUser}", "--init-groups", "--", .. initdb] : initdb[1..], cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static string DefaultStateDirectory()
    {
        if (Environment.UserName == "root")
        {
            return "/var/lib/taskpipeline/postgres";
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "taskpipeline", "postgres");
    }

    private static string ReadOrCreatePassword(string stateDirectory)
    {
        var passwordFile = Path.Combine(stateDirectory, "password");
        if (File.Exists(passwordFile))
        {
            return File.ReadAllText(passwordFile).Trim();
        }

        if (File.Exists(Path.Combine(stateDirectory, "data", "PG_VERSION")))
        {
            throw new AppHostConfigurationException(
                $"{stateDirectory}/data holds a database but its password file {passwordFile} is missing: restore it, or start afresh with --TaskPipeline:Database:Fresh=true");
        }

        CreateDirectory(stateDirectory, StateDirectoryMode);
        var password = RandomNumberGenerator.GetString(PasswordAlphabet, 24);
        File.WriteAllText(passwordFile, password);
        MakePrivate(passwordFile);
        return password;
    }

    public static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, mode);
        }
    }

    private static void MakePrivate(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }
    }
}
