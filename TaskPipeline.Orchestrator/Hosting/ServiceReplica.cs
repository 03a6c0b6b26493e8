using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// One replica of a service: <c>dotnet &lt;assembly&gt;</c> on two loopback ports of its own (<c>http</c> and
/// <c>management</c>), healthy when GET /health on the management port answers 200, restarted with backoff when it
/// exits on its own, left stopped when asked to stop.
/// </summary>
internal sealed class ServiceReplica : IDisposable
{
    private const int PortAttempts = 3;
    private const int TailLines = 20;

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly ServiceProject project;
    private readonly HttpClient probe;
    private readonly Func<ServiceReplica, IReadOnlyDictionary<string, string?>> environment;
    private readonly TimeProvider time;
    private readonly Lock gate = new();

    private ChildProcess? current;
    private CancellationTokenSource? supervision;
    private Task? supervisor;
    private bool stopRequested = true;
    private ResourceState state = ResourceState.Starting;

    public ServiceReplica(
        ServiceDefinition definition,
        int index,
        ServiceProject project,
        OutputSink sink,
        HttpClient probe,
        Func<ServiceReplica, IReadOnlyDictionary<string, string?>> environment,
        TimeProvider time)
    {
        this.time = time;
        Definition = definition;
        Index = index;
        this.project = project;
        this.probe = probe;
        this.environment = environment;
        Log = new ResourceLog(Label, sink);
        // Like Aspire's replica suffix: random per replica, kept across restarts so telemetry shows one instance.
        InstanceId = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz", 8);
        HttpPort = PortAllocator.Next();
        ManagementPort = PortAllocator.Next();
    }

    public ServiceDefinition Definition { get; }

    public string Resource => Definition.Name;

    public int Index { get; }

    public string Label => $"{Resource}-{Index}";

    public string InstanceId { get; }

    public int HttpPort { get; private set; }

    public int ManagementPort { get; private set; }

    public Uri HttpEndpoint => new($"http://127.0.0.1:{HttpPort}");

    public Uri ManagementEndpoint => new($"http://127.0.0.1:{ManagementPort}");

    public Uri HealthUri => new(ManagementEndpoint, ServiceDefinition.HealthPath);

    public ResourceLog Log { get; }

    public ResourceSnapshot Snapshot()
    {
        lock (gate)
        {
            return new ResourceSnapshot(Resource, Index, state, current is { HasExited: false } running ? running.Pid : null,
            [
                new ResourceUrl(Definition.HttpEndpointLabel, HttpEndpoint.GetLeftPart(UriPartial.Authority)),
                new ResourceUrl("metrics", new Uri(ManagementEndpoint, ServiceDefinition.MetricsPath).ToString()),
                new ResourceUrl("health", HealthUri.ToString()),
            ]);
        }
    }

    /// <summary>
    /// Starts the replica and waits until it is healthy, then supervises it. Throws <see cref="PipelineStartException"/>
    /// with its last output when it exits first or stays unhealthy past <paramref name="timeout"/>. On the first start
    /// a port taken in the meantime is replaced; later starts keep the ports others were told about.
    /// </summary>
    public async Task StartAsync(TimeSpan timeout, bool allowNewPorts, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!stopRequested || supervisor is not null)
            {
                throw new InvalidOperationException($"{Label} is already running");
            }

            stopRequested = false;
            state = ResourceState.Starting;
        }

        for (var attempt = 1; ; attempt++)
        {
            var child = LaunchUnlessStopped() ?? throw new OperationCanceledException($"{Label} was stopped while it started");
            var (outcome, lastProbe) = await WaitUntilHealthyAsync(child, timeout, cancellationToken);
            switch (outcome)
            {
                case Outcome.Healthy:
                    StartSupervising(child);
                    return;

                case Outcome.Cancelled:
                    await AbortStartAsync(child);
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new OperationCanceledException(cancellationToken);

                case Outcome.TimedOut:
                    await AbortStartAsync(child);
                    throw new PipelineStartException(
                        $"{Label} did not become healthy within {timeout.TotalSeconds:0} s (GET {HealthUri}: {lastProbe})", Log.Tail(TailLines));

                default:
                    var tail = Log.Tail(TailLines);
                    await AbortStartAsync(child);
                    if (allowNewPorts && attempt < PortAttempts && tail.Any(PortAllocator.IsConflict))
                    {
                        ReplacePorts();
                        continue;
                    }

                    throw new PipelineStartException($"{Label} exited with code {child.ExitCode} before it became healthy", tail);
            }
        }
    }

    /// <summary>SIGTERM, up to <paramref name="grace"/> to stop, then SIGKILL; not restarted afterwards.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        ChildProcess? child;
        CancellationTokenSource? supervisionSource;
        Task? supervising;
        lock (gate)
        {
            stopRequested = true;
            child = current;
            current = null;
            supervisionSource = supervision;
            supervision = null;
            supervising = supervisor;
            supervisor = null;
            state = child is null ? ResourceState.Stopped : ResourceState.Stopping;
        }

        // Outside the lock: cancelling runs the supervisor's continuation, which takes the lock.
        await (supervisionSource?.CancelAsync() ?? Task.CompletedTask);
        if (child is not null)
        {
            if (!await child.StopAsync(LibC.SigTerm, grace, cancellationToken))
            {
                Log.Note($"{Label} did not stop within {grace.TotalSeconds:0} s of SIGTERM; killed it");
            }

            child.Dispose();
        }

        if (supervising is not null)
        {
            await supervising;
        }

        supervisionSource?.Dispose();
        lock (gate)
        {
            if (stopRequested)
            {
                state = ResourceState.Stopped;
            }
        }
    }

    /// <summary>SIGKILL, as a crash would end it; the supervisor restarts it after its backoff delay.</summary>
    public void Kill()
    {
        ChildProcess? child;
        lock (gate)
        {
            child = current;
        }

        if (child is null || child.HasExited)
        {
            throw new InvalidOperationException($"{Label} is not running");
        }

        Log.Note($"killing {Label} (pid {child.Pid}) with SIGKILL; it will be restarted");
        child.Signal(LibC.SigKill);
    }

    /// <summary>Asks a running replica to stop without waiting (the AppHost is exiting without having stopped it).</summary>
    public void Abandon()
    {
        lock (gate)
        {
            stopRequested = true;
            current?.Signal(LibC.SigTerm);
        }
    }

    /// <summary>Waits until the replica runs and its /health answers 200.</summary>
    public async Task WaitForHealthyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ChildProcess? child;
            lock (gate)
            {
                child = current;
            }

            if (child is { HasExited: false } && await ProbeAsync(cancellationToken) is null)
            {
                return;
            }

            await Task.Delay(ProbeInterval, time, cancellationToken);
        }
    }

    /// <summary>After <see cref="StopAsync"/>: releases what a stopped replica still holds.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            supervision?.Dispose();
            supervision = null;
            current?.Dispose();
            current = null;
        }
    }

    private ChildProcess? LaunchUnlessStopped()
    {
        if (!File.Exists(project.AssemblyPath))
        {
            throw new PipelineStartException(
                $"{Resource} is not built ({project.AssemblyPath} does not exist): build first (dotnet build TaskPipeline.sln)");
        }

        var startInfo = new ProcessStartInfo(DotNetHost.Path)
        {
            ArgumentList = { project.AssemblyPath },
            WorkingDirectory = Path.GetDirectoryName(project.AssemblyPath)!,
        };
        foreach (var name in ServiceEnvironment.NotInherited)
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment(this))
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        lock (gate)
        {
            if (stopRequested)
            {
                return null;
            }

            current = ChildProcess.Start(startInfo, Log);
            state = ResourceState.Starting;
            return current;
        }
    }

    private async Task<(Outcome Outcome, string LastProbe)> WaitUntilHealthyAsync(
        ChildProcess child, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var lastProbe = "no answer yet";
        while (!child.HasExited)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return (Outcome.Cancelled, lastProbe);
            }

            if (timeout != Timeout.InfiniteTimeSpan && time.GetElapsedTime(started) > timeout)
            {
                return (Outcome.TimedOut, lastProbe);
            }

            try
            {
                if (await ProbeAsync(cancellationToken) is not { } problem)
                {
                    return (Outcome.Healthy, "200 OK");
                }

                lastProbe = problem;
                await Task.WhenAny(child.Exited, Task.Delay(ProbeInterval, time, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (Outcome.Cancelled, lastProbe);
            }
        }

        return (Outcome.Exited, lastProbe);
    }

    /// <summary>Null when /health answers 200, else what it answered.</summary>
    private async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await probe.GetAsync(HealthUri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException exception)
        {
            return exception.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {ProbeTimeout.TotalSeconds:0} s";
        }
    }

    private async Task AbortStartAsync(ChildProcess child)
    {
        await child.StopAsync(LibC.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);
        child.Dispose();
        lock (gate)
        {
            if (ReferenceEquals(current, child))
            {
                current = null;
            }

            stopRequested = true;
            state = ResourceState.Stopped;
        }
    }

    private void ReplacePorts()
    {
        var (http, management) = (HttpPort, ManagementPort);
        HttpPort = PortAllocator.Next();
        ManagementPort = PortAllocator.Next();
        Log.Note($"{Label}: port {http} or {management} was taken; retrying on {HttpPort} and {ManagementPort}");
        lock (gate)
        {
            stopRequested = false;
        }
    }

    private void StartSupervising(ChildProcess child)
    {
        lock (gate)
        {
            if (stopRequested)
            {
                return;
            }

            state = ResourceState.Running;
            supervision = new CancellationTokenSource();
            supervisor = SuperviseAsync(child, supervision.Token);
        }
    }

    /// <summary>Restarts the replica whenever it exits without having been asked to, with growing delays.</summary>
    private async Task SuperviseAsync(ChildProcess first, CancellationToken stopping)
    {
        // Off the caller's stack: the loop runs for the replica's lifetime.
        await Task.Yield();
        var backoff = new RestartBackoff();
        ChildProcess? child = first;
        long? healthySince = time.GetTimestamp();
        while (true)
        {
            if (child is not null)
            {
                await child.Exited;
            }

            lock (gate)
            {
                if (stopRequested)
                {
                    return;
                }

                current = null;
                state = ResourceState.Restarting;
            }

            var delay = backoff.Next(healthySince is { } since ? time.GetElapsedTime(since) : TimeSpan.Zero);
            var seconds = delay.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            Log.Note(child is null
                ? $"{Label} could not be started; retrying in {seconds} s"
                : $"{Label} exited with code {child.ExitCode}; restarting in {seconds} s");
            child?.Dispose();
            child = null;
            healthySince = null;

            try
            {
                await Task.Delay(delay, time, stopping);
                child = LaunchUnlessStopped();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (PipelineStartException exception)
            {
                Log.Note(exception.Summary);
                continue;
            }

            if (child is null)
            {
                return;
            }

            var (outcome, _) = await WaitUntilHealthyAsync(child, Timeout.InfiniteTimeSpan, stopping);
            if (outcome == Outcome.Healthy)
            {
                healthySince = time.GetTimestamp();
                lock (gate)
                {
                    if (!stopRequested)
                    {
                        state = ResourceState.Running;
                    }
                }
            }
        }
    }

    private enum Outcome
    {
        Healthy,
        Exited,
        TimedOut,
        Cancelled,
    }
}
