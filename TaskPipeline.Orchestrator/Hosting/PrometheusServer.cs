using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// The Prometheus server the AppHost runs when one is installed (Debian's <c>prometheus</c> package): loopback on a
/// free port, a generated scrape configuration in <c>&lt;state&gt;/prometheus/prometheus.yml</c> covering every
/// replica's /metrics, its time series in <c>&lt;state&gt;/prometheus/data</c> (kept across runs, like the database).
/// It is not restarted when it exits: the pipeline does not depend on it.
/// </summary>
internal sealed class PrometheusServer
{
    public const string NotFoundMessage =
        "prometheus not found: install it with apt-get install prometheus to scrape the services; going on without it";

    private const int PortAttempts = 3;
    private const string DebianPath = "/usr/bin/prometheus";

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly string binary;
    private readonly TimeSpan scrapeInterval;
    private readonly bool fresh;
    private readonly ResourceLog log;
    private readonly HttpClient probe;
    private readonly bool fixedPort;
    private ChildProcess? server;
    private bool stopping;

    /// <param name="port">0: a free port, replaced when another process takes it first; otherwise exactly this one.</param>
    public PrometheusServer(string binary, string stateDirectory, int port, TimeSpan scrapeInterval, bool fresh, ResourceLog log, HttpClient probe)
    {
        this.binary = binary;
        this.scrapeInterval = scrapeInterval;
        this.fresh = fresh;
        this.log = log;
        this.probe = probe;
        StateDirectory = Path.GetFullPath(Path.Combine(stateDirectory, "prometheus"));
        fixedPort = port > 0;
        Port = fixedPort ? port : PortAllocator.Next();
    }

    /// <summary><c>&lt;state&gt;/prometheus</c>: configuration, data and the pid of the running server.</summary>
    public string StateDirectory { get; }

    public string ConfigFile => Path.Combine(StateDirectory, "prometheus.yml");

    public string DataDirectory => Path.Combine(StateDirectory, "data");

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    public ResourceState State { get; private set; } = ResourceState.Starting;

    public int? Pid => server is { HasExited: false } running ? running.Pid : null;

    private string PidFile => Path.Combine(StateDirectory, "prometheus.pid");

    /// <summary>
    /// PATH first, then Debian's location (PATH may lack /usr/bin under a service manager). An explicit path is used
    /// as given. Null when there is none.
    /// </summary>
    public static string? Find(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return Executables.IsExecutable(explicitPath) ? Path.GetFullPath(explicitPath) : null;
        }

        return Executables.Find("prometheus") ?? (Executables.IsExecutable(DebianPath) ? DebianPath : null);
    }

    /// <summary>Writes the scrape configuration and starts the server; returns once it answers /-/ready.</summary>
    public async Task StartAsync(IReadOnlyList<PrometheusConfig.Target> targets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(StateDirectory);
        await StopStaleServerAsync(cancellationToken);
        if (fresh && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        Directory.CreateDirectory(DataDirectory);
        await File.WriteAllTextAsync(ConfigFile, PrometheusConfig.Generate(targets, scrapeInterval), cancellationToken);
        log.Note($"Prometheus from {binary}; scraping {targets.Count} target(s) every {scrapeInterval.TotalSeconds:0.###} s; configuration {ConfigFile}");

        for (var attempt = 1; ; attempt++)
        {
            var child = Launch();
            var outcome = await WaitUntilReadyAsync(child, timeout, cancellationToken);
            if (outcome is null)
            {
                State = ResourceState.Running;
                _ = ReportUnexpectedExitAsync(child);
                return;
            }

            var tail = log.Tail(20);
            await StopChildAsync(child, CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            if (!fixedPort && attempt < PortAttempts && tail.Any(PortAllocator.IsConflict))
            {
                Port = PortAllocator.Next();
                log.Note($"prometheus: port taken; retrying on {Port}");
                continue;
            }

            State = ResourceState.Exited;
            throw new PipelineStartException($"prometheus {outcome}", tail);
        }
    }

    /// <summary>Rewrites the scrape configuration when a target moved, and has Prometheus reload it (SIGHUP).</summary>
    public async Task UpdateTargetsAsync(IReadOnlyList<PrometheusConfig.Target> targets, CancellationToken cancellationToken)
    {
        var configuration = PrometheusConfig.Generate(targets, scrapeInterval);
        if (configuration == await File.ReadAllTextAsync(ConfigFile, cancellationToken))
        {
            return;
        }

        await File.WriteAllTextAsync(ConfigFile, configuration, cancellationToken);
        if (server is { } running)
        {
            running.Signal(LibC.SigHup);
            log.Note("prometheus: a replica moved to another port; reloaded the scrape configuration");
        }
    }

    /// <summary>SIGTERM (Prometheus flushes its head block), up to 10 s, then SIGKILL. A no-op when not running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (server is not { } child)
        {
            return;
        }

        stopping = true;
        State = ResourceState.Stopping;
        await StopChildAsync(child, cancellationToken);
        State = ResourceState.Stopped;
    }

    /// <summary>Asks the server to stop without waiting (the AppHost is exiting without having stopped it).</summary>
    public void Abandon() => server?.Signal(LibC.SigTerm);

    private ChildProcess Launch()
    {
        var startInfo = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                $"--config.file={ConfigFile}",
                $"--storage.tsdb.path={DataDirectory}",
                $"--web.listen-address=127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}",
                // Links in its UI and alerts point where it really listens.
                $"--web.external-url={Url}",
                // Its start-up chatter would drown the services' output; problems are still printed.
                "--log.level=warn",
            },
            WorkingDirectory = StateDirectory,
        };
        var child = ChildProcess.Start(startInfo, log);
        server = child;
        State = ResourceState.Starting;
        File.WriteAllText(PidFile, child.Pid.ToString(CultureInfo.InvariantCulture));
        return child;
    }

    /// <summary>Null once /-/ready answers 200; otherwise why it did not become ready.</summary>
    private async Task<string?> WaitUntilReadyAsync(ChildProcess child, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ready = new Uri(Url, "/-/ready");
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (!child.HasExited)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.Elapsed > timeout)
            {
                return $"did not become ready within {timeout.TotalSeconds:0} s (GET {ready}: {last})";
            }

            try
            {
                using var response = await probe.GetAsync(ready, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return null;
                }

                last = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }

            await Task.WhenAny(child.Exited, Task.Delay(ProbeInterval, cancellationToken));
        }

        await child.Exited;
        return $"exited with code {child.ExitCode} before it was ready";
    }

    private async Task StopChildAsync(ChildProcess child, CancellationToken cancellationToken)
    {
        if (!await child.StopAsync(LibC.SigTerm, StopGrace, cancellationToken))
        {
            log.Note($"prometheus did not stop within {StopGrace.TotalSeconds:0} s of SIGTERM; killed it");
        }

        child.Dispose();
        if (ReferenceEquals(server, child))
        {
            server = null;
        }

        File.Delete(PidFile);
    }

    private async Task ReportUnexpectedExitAsync(ChildProcess child)
    {
        await child.Exited;
        if (!stopping && ReferenceEquals(server, child))
        {
            State = ResourceState.Exited;
            log.Note($"prometheus exited with code {child.ExitCode}; it is not restarted (the services run on without it)");
        }
    }

    /// <summary>
    /// A Prometheus of an earlier run whose AppHost was killed still holds the data directory (it runs in a session of
    /// its own, so it outlives its AppHost): stop it as that run would have.
    /// </summary>
    private async Task StopStaleServerAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) || pid <= 0)
        {
            return;
        }

        var comm = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm";
        if (LibC.IsAlive(pid) && File.Exists(comm) && File.ReadAllText(comm).Trim() == "prometheus")
        {
            log.Note($"stopping Prometheus (pid {pid}) left running on {DataDirectory} by an earlier run");
            LibC.Signal(pid, LibC.SigTerm);
            var waited = Stopwatch.StartNew();
            while (LibC.IsAlive(pid) && waited.Elapsed < StopGrace)
            {
                await Task.Delay(100, cancellationToken);
            }

            if (LibC.IsAlive(pid))
            {
                LibC.Signal(pid, LibC.SigKill);
            }
        }

        File.Delete(PidFile);
    }
}
