using System.Diagnostics;
using System.Security.Cryptography;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// The PostgreSQL server the AppHost runs for the pipeline: the local server binaries when installed (else a
/// container), its data in <c>&lt;state&gt;/postgres/data</c> kept across runs, its generated password in
/// <c>&lt;state&gt;/postgres/password</c>. Stop and start again keep the port and the data (database fault tests).
/// </summary>
internal sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const int PortAttempts = 3;
    private const string PasswordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int PasswordLength = 32;
    private const string OsUser = "postgres";

    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private readonly bool fresh;
    private readonly TimeSpan startTimeout;
    private readonly ResourceLog log;
    private readonly SemaphoreSlim gate = new(1, 1);

    private PostgresBinaries? binaries;
    private PostgresContainer? container;
    private ChildProcess? server;
    private DatabaseConnection? connection;
    private FileStream? stateLock;
    private bool stopping;

    public EmbeddedPostgres(string stateDirectory, bool fresh, TimeSpan startTimeout, ResourceLog log)
    {
        StateDirectory = Path.GetFullPath(Path.Combine(stateDirectory, "postgres"));
        this.fresh = fresh;
        this.startTimeout = startTimeout;
        this.log = log;
        ContainerName = PostgresContainer.ContainerName(StateDirectory);
    }

    /// <summary><c>&lt;state&gt;/postgres</c>: the data directory and the password file.</summary>
    public string StateDirectory { get; }

    /// <summary>The server's data directory (a separate one for the container, whose PostgreSQL version differs).</summary>
    public string DataDirectory => Path.Combine(StateDirectory, container is null ? "data" : "container-data");

    public string PasswordFile => Path.Combine(StateDirectory, "password");

    public string ContainerName { get; }

    /// <summary>Where the server comes from: the binaries' directory, or the container image.</summary>
    public string Source => container is not null
        ? $"{Path.GetFileName(container.Runtime)} {PostgresContainer.Image}"
        : binaries is not null ? Path.GetDirectoryName(binaries.Postgres)! : "(not started)";

    public int Port => Connection.Port;

    /// <summary>Aspire's format: Host=127.0.0.1;Port=…;Username=postgres;Password=…;Database=tasksdb.</summary>
    public string ConnectionString => Connection.ConnectionString;

    public ResourceState State { get; private set; } = ResourceState.Starting;

    /// <summary>The postmaster's pid (the container client's for a container) while it runs.</summary>
    public int? Pid => server is { HasExited: false } running ? running.Pid : null;

    public bool IsRunning => server is { HasExited: false };

    internal DatabaseConnection Connection => connection ?? throw new InvalidOperationException("PostgreSQL has not been started");

    internal ResourceLog Log => log;

    /// <summary>
    /// Starts the server and waits until it accepts connections; the first start also prepares the data directory and
    /// creates the tasks database. A no-op while it runs.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (IsRunning)
            {
                return;
            }

            var firstStart = connection is null;
            if (firstStart)
            {
                await PrepareAsync(cancellationToken);
            }

            State = ResourceState.Starting;
            await LaunchUntilAcceptingAsync(allowNewPort: firstStart, cancellationToken);
            if (firstStart)
            {
                await DatabaseBootstrap.EnsureDatabaseAsync(Connection, log, cancellationToken);
            }

            State = ResourceState.Running;
        }
        catch
        {
            State = ResourceState.Exited;
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Fast shutdown (SIGINT: active transactions are rolled back, a checkpoint is written), up to 30 s, then SIGKILL.
    /// Cancelling skips the wait. A no-op when it is not running.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            if (server is null)
            {
                return;
            }

            stopping = true;
            State = ResourceState.Stopping;
            await ShutDownAsync(server, cancellationToken);
            server.Dispose();
            server = null;
            State = ResourceState.Stopped;
        }
        finally
        {
            stopping = false;
            gate.Release();
        }
    }

    /// <summary>Asks the server to stop without waiting (the AppHost is exiting without having stopped it).</summary>
    public void Abandon() => server?.Signal(container is null ? LibC.SigInt : LibC.SigTerm);

    /// <summary>Stops the server and lets another AppHost use the state directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (stateLock is not null)
        {
            await stateLock.DisposeAsync();
            stateLock = null;
        }
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        binaries = PostgresBinaries.Find();
        if (binaries is null)
        {
            container = PostgresContainer.Find() ?? throw new PipelineStartException(PostgresBinaries.NotFoundMessage);
        }

        Directory.CreateDirectory(StateDirectory);
        LockStateDirectory();
        if (LibC.IsRoot && container is null)
        {
            await RequireOsUserAsync(cancellationToken);
            MakeTraversable(StateDirectory);
        }

        if (container is null)
        {
            await StopStaleServerAsync(cancellationToken);
        }
        else
        {
            await container.RemoveAsync(ContainerName, ShutdownTimeout, cancellationToken);
        }

        var initialized = File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));
        if (fresh && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
            log.Note($"deleted {DataDirectory} (fresh start)");
            initialized = false;
        }

        var password = LoadOrCreatePassword(initialized);
        log.Sink.AddSecret(password);
        log.Note($"PostgreSQL from {Source}; data in {DataDirectory}");

        if (container is null && !initialized)
        {
            await InitDbAsync(password, cancellationToken);
        }
        else if (container is not null)
        {
            Directory.CreateDirectory(DataDirectory);
            await PullImageAsync(cancellationToken);
        }

        connection = DatabaseConnection.ForEmbedded(PortAllocator.Next(), password);
    }

    /// <summary>
    /// One AppHost per state directory: a second one would take the first one's server for a stale one and stop it.
    /// The lock (flock, which .NET takes for FileShare.None) dies with its process, so a killed run does not block the next.
    /// </summary>
    private void LockStateDirectory()
    {
        try
        {
            stateLock = new FileStream(Path.Combine(StateDirectory, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new PipelineStartException(
                $"another AppHost is using {Path.GetDirectoryName(StateDirectory)}; stop it or give this one another --state-dir", null, exception);
        }
    }

    private string LoadOrCreatePassword(bool initialized)
    {
        if (File.Exists(PasswordFile) && File.ReadAllText(PasswordFile).Trim() is { Length: > 0 } stored)
        {
            UnixFiles.MakePrivate(PasswordFile);
            return stored;
        }

        if (initialized)
        {
            throw new PipelineStartException(
                $"{DataDirectory} holds a database but its password file {PasswordFile} is missing; restore it or start with --fresh");
        }

        var password = RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);
        UnixFiles.WritePrivate(PasswordFile, password);
        return password;
    }

    private async Task InitDbAsync(string password, CancellationToken cancellationToken)
    {
        if (Directory.Exists(DataDirectory))
        {
            // A data directory without PG_VERSION is what an interrupted initdb leaves; initdb wants it empty.
            Directory.Delete(DataDirectory, recursive: true);
        }

        UnixFiles.CreatePrivateDirectory(DataDirectory);
        var passwordFile = Path.Combine(StateDirectory, "initdb-password");
        UnixFiles.WritePrivate(passwordFile, password);
        try
        {
            if (LibC.IsRoot)
            {
                await RunToolAsync("chown", ["-R", $"{OsUser}:", DataDirectory, passwordFile], cancellationToken);
            }

            log.Note($"initdb {DataDirectory}");
            var startInfo = AsServerUser(new ProcessStartInfo(binaries!.Initdb)
            {
                ArgumentList =
                {
                    "-D", DataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}",
                    "-E", "UTF8", "--locale=C",
                },
            });
            using var initdb = ChildProcess.Start(startInfo, log);
            if (!await initdb.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken))
            {
                initdb.Kill();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (initdb.ExitCode != 0)
            {
                throw new PipelineStartException($"postgres: initdb failed with exit code {initdb.ExitCode}", log.Tail(20));
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task LaunchUntilAcceptingAsync(bool allowNewPort, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var child = Launch();
            bool accepting;
            try
            {
                accepting = await DatabaseBootstrap.WaitUntilAcceptingAsync(Connection, () => !child.HasExited, startTimeout, cancellationToken);
            }
            catch (Exception exception) when (exception is TimeoutException or OperationCanceledException or PipelineStartException)
            {
                await ShutDownAsync(child, CancellationToken.None);
                DropServer();
                if (exception is TimeoutException)
                {
                    throw new PipelineStartException($"postgres {exception.Message}", log.Tail(20), exception);
                }

                throw;
            }

            if (accepting)
            {
                return;
            }

            await child.Exited;
            var tail = log.Tail(20);
            DropServer();
            if (allowNewPort && attempt < PortAttempts && tail.Any(PortAllocator.IsConflict))
            {
                connection = DatabaseConnection.ForEmbedded(PortAllocator.Next(), Connection.Password);
                log.Note($"port taken; retrying on {Connection.Port}");
                continue;
            }

            throw new PipelineStartException($"postgres exited with code {child.ExitCode} before it accepted connections", tail);
        }
    }

    private ChildProcess Launch()
    {
        var startInfo = container is not null
            ? container.Run(ContainerName, Connection.Port, DataDirectory, Connection.Password)
            : AsServerUser(new ProcessStartInfo(binaries!.Postgres)
            {
                ArgumentList =
                {
                    "-D", DataDirectory, "-p", Connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-c", "listen_addresses=127.0.0.1",
                    // TCP only: no socket directory to create or clean up.
                    "-c", "unix_socket_directories=",
                    // Room for every replica's connection pool under load (PostgreSQL's default is 100).
                    "-c", "max_connections=300",
                },
            });
        startInfo.WorkingDirectory = StateDirectory;
        var child = ChildProcess.Start(startInfo, log);
        server = child;
        _ = ReportUnexpectedExitAsync(child);
        return child;
    }

    private async Task ReportUnexpectedExitAsync(ChildProcess child)
    {
        await child.Exited;
        if (!stopping && ReferenceEquals(server, child) && State == ResourceState.Running)
        {
            State = ResourceState.Exited;
            log.Note($"postgres exited with code {child.ExitCode}; it is not restarted");
        }
    }

    private async Task ShutDownAsync(ChildProcess child, CancellationToken cancellationToken)
    {
        if (container is not null)
        {
            await container.RemoveAsync(ContainerName, ShutdownTimeout, cancellationToken);
            if (!await child.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None))
            {
                child.Kill();
            }

            return;
        }

        if (!await child.StopAsync(LibC.SigInt, ShutdownTimeout, cancellationToken))
        {
            log.Note($"postgres did not stop within {ShutdownTimeout.TotalSeconds:0} s; killed it");
            // Killed, it could not remove its lock file; a dead pid in it would be handled, but leave nothing behind.
            File.Delete(Path.Combine(DataDirectory, "postmaster.pid"));
        }
    }

    private void DropServer()
    {
        server?.Dispose();
        server = null;
    }

    /// <summary>
    /// A postmaster of an earlier run that was killed before it could stop its server still holds the data directory:
    /// stop it the way this run would have. A dead or reused pid in postmaster.pid is left to PostgreSQL, except that a
    /// live non-PostgreSQL process under that pid would make it refuse to start.
    /// </summary>
    private async Task StopStaleServerAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) || pid <= 0 || !LibC.IsAlive(pid))
        {
            return;
        }

        if (!IsPostgres(pid))
        {
            File.Delete(pidFile);
            return;
        }

        log.Note($"stopping PostgreSQL (pid {pid}) left running on {DataDirectory} by an earlier run");
        LibC.Signal(pid, LibC.SigInt);
        if (await WaitForExitAsync(pid, ShutdownTimeout, cancellationToken))
        {
            return;
        }

        LibC.Signal(pid, LibC.SigKill);
        if (!await WaitForExitAsync(pid, TimeSpan.FromSeconds(5), cancellationToken))
        {
            throw new PipelineStartException($"cannot stop PostgreSQL (pid {pid}) still running on {DataDirectory}");
        }

        File.Delete(pidFile);
    }

    private static bool IsPostgres(int pid)
    {
        var comm = $"/proc/{pid}/comm";
        // Without /proc (not Linux) trust the lock file: PostgreSQL wrote it.
        return !File.Exists(comm) || File.ReadAllText(comm).Trim() is "postgres" or "postmaster";
    }

    private static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Not our child: no exit notification, only polling.
        var deadline = Stopwatch.StartNew();
        while (LibC.IsAlive(pid))
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100, cancellationToken);
        }

        return true;
    }

    private async Task PullImageAsync(CancellationToken cancellationToken)
    {
        // A first pull can take minutes; it must not count against the start timeout.
        using var pull = ChildProcess.Start(new ProcessStartInfo(container!.Runtime) { ArgumentList = { "pull", PostgresContainer.Image } }, log);
        if (!await pull.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken))
        {
            pull.Kill();
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (pull.ExitCode != 0)
        {
            throw new PipelineStartException($"postgres: pulling {PostgresContainer.Image} failed with exit code {pull.ExitCode}", log.Tail(20));
        }
    }

    /// <summary>PostgreSQL refuses to run as root: as root, run it as the postgres user, with the pid still the program's own.</summary>
    private static ProcessStartInfo AsServerUser(ProcessStartInfo startInfo)
    {
        if (!LibC.IsRoot)
        {
            return startInfo;
        }

        // setpriv execs the program (runuser and su fork and wait), so the pid the AppHost holds and signals is postgres.
        var setpriv = Executables.Find("setpriv")
            ?? throw new PipelineStartException("running as root, PostgreSQL must be started as the postgres user, which needs setpriv (util-linux)");
        var arguments = startInfo.ArgumentList.ToList();
        startInfo.ArgumentList.Clear();
        foreach (var argument in (string[])[$"--reuid={OsUser}", $"--regid={OsUser}", "--init-groups", "--", startInfo.FileName, .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.FileName = setpriv;
        return startInfo;
    }

    private static async Task RequireOsUserAsync(CancellationToken cancellationToken)
    {
        if (await RunToolAsync("id", ["-u", OsUser], cancellationToken, throwOnFailure: false) != 0)
        {
            throw new PipelineStartException(
                $"running as root, PostgreSQL must run as the '{OsUser}' OS user, which does not exist; create it (useradd --system {OsUser}) or run the AppHost as another user");
        }
    }

    /// <summary>The postgres user must be able to reach the data directory through every directory above it.</summary>
    private void MakeTraversable(string directory)
    {
        foreach (var changed in UnixFiles.MakeTraversable(directory))
        {
            log.Note($"made {changed} traversable (o+x) so the {OsUser} user can reach its data directory");
        }
    }

    private static async Task<int> RunToolAsync(string tool, string[] arguments, CancellationToken cancellationToken, bool throwOnFailure = true)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new PipelineStartException($"cannot start {tool}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new PipelineStartException($"{tool} {string.Join(' ', arguments)} failed: {(await stderr).Trim()}");
        }

        return process.ExitCode;
    }
}
