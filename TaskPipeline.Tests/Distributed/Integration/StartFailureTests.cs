using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Integration;

/// <summary>
/// Start failures as a user meets them, the AppHost run as a process. What the AppHost can check stops the app before
/// anything starts: one line on standard error within seconds, exit code 2, no process of the run left behind (DCP,
/// the dashboard, postgres). What fails later (initdb) is one error naming the resource with its last lines, not a wait.
/// </summary>
public sealed class StartFailureTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _directory = TestDirectories.Create("start-failure");

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AStateFolderThePostgresUserCannotReachStopsTheAppWithOneLineNamingTheFolder()
    {
        // What `mktemp -d` makes: a folder only its owner may enter. Root enters anything, the postgres user cannot;
        // another user running the AppHost cannot enter a folder closed to everybody.
        var closed = Path.Combine(_directory, "closed");
        Directory.CreateDirectory(closed, Environment.UserName == "root" ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.None);

        var (exitCode, error) = await RunAsync($"--TaskPipeline:Database:StateDirectory={Path.Combine(closed, "postgres")}");

        Assert.Equal(2, exitCode);
        Assert.Contains(closed, error, StringComparison.Ordinal);
        Assert.Contains(Environment.UserName == "root" ? "the postgres OS user" : "cannot be created", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStateFolderThatIsAFileStopsTheAppWithOneLineNamingTheFile()
    {
        var file = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");

        var (exitCode, error) = await RunAsync($"--TaskPipeline:Database:StateDirectory={Path.Combine(file, "postgres")}");

        Assert.Equal(2, exitCode);
        Assert.Contains($"{file} is a file, not a folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabasePortInUseStopsTheAppWithOneLineNamingThePort()
    {
        using var taken = Listen(out var port);

        var (exitCode, error) = await RunAsync(
            $"--TaskPipeline:Database:StateDirectory={Path.Combine(_directory, "postgres")}", $"--TaskPipeline:Database:Port={port}");

        Assert.Equal(2, exitCode);
        Assert.Contains($"port {port} (postgres's tcp endpoint) is in use", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADashboardPortInUseAsWithASecondAppHostStopsTheAppWithOneLineNamingThePort()
    {
        using var taken = Listen(out var port);

        var (exitCode, error) = await RunAsync(
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}" },
            $"--TaskPipeline:Database:StateDirectory={Path.Combine(_directory, "postgres")}");

        Assert.Equal(2, exitCode);
        Assert.Contains($"port {port} (the Aspire dashboard's ASPNETCORE_URLS) is in use on this machine, most likely by another TaskPipeline AppHost", error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AnInitdbThatFailsIsOneErrorNamingPostgresWithItsLastLinesNotAWait()
    {
        // The machine's postgres, and an initdb that refuses, as a full disk or a broken installation would.
        var real = TaskPipeline.AppHost.Database.PostgresBinaries.Find(null) ?? throw new InvalidOperationException("no PostgreSQL binaries");
        var bin = Path.Combine(_directory, "bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "postgres"), real.Postgres);
        var initdb = Path.Combine(bin, "initdb");
        await File.WriteAllTextAsync(initdb, "#!/bin/sh\necho 'initdb: error: refused by the test' >&2\nexit 1\n");
        File.SetUnixFileMode(initdb, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var clock = Stopwatch.StartNew();
        await using var run = AppHostProcess.Start(
        [
            $"--TaskPipeline:Database:StateDirectory={Path.Combine(_directory, "postgres")}",
            $"--TaskPipeline:Database:BinDirectory={bin}",
            "--TaskPipeline:Prometheus:Enabled=false",
            "--TaskPipeline:Restart:MaxRestarts=1",
            // Ports of DCP's choosing, as Aspire.Hosting.Testing gives: the services' fixed ones may be another test app's.
            "--DcpPublisher:RandomizePorts=true",
            "--TaskPipeline:Restart:InitialDelay=00:00:00.200",
            $"--Parameters:producer-api-key={AppArguments.ApiKey}",
        ]);
        var first = await run.WaitForOutputAsync("exited unexpectedly", Bound);
        var gaveUp = await run.WaitForOutputAsync("not restarted again", Bound);
        var elapsed = clock.Elapsed;
        await run.InterruptAsync();
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.True(first && gaveUp, $"no error about postgres within {Bound.TotalSeconds:0} s:\n{run.Output}");
        Assert.True(elapsed < Bound, $"the error came after {elapsed.TotalSeconds:0.0} s");
        // The console shows a log entry as its header line, then its message indented: the first such message.
        var lines = run.Output.Split('\n');
        var at = Array.FindIndex(lines, line => line.Contains("exited unexpectedly", StringComparison.Ordinal));
        var entry = lines.Skip(at).TakeWhile((line, index) => index == 0 || line.StartsWith(' ')).ToList();
        Assert.Matches(@"postgres-\w+ exited unexpectedly \(FailedToStart, exit code none\); restart 1 of 1 within 00:05:00 in 00:00:00\.2", entry[0]);
        Assert.Contains(entry, line => line.Contains("initdb: error: refused by the test", StringComparison.Ordinal));
        Assert.Empty(await run.LeftRunningAfterAsync(TimeSpan.FromSeconds(15)));
    }

    public void Dispose() => TestDirectories.Delete(_directory);

    private static Task<(int ExitCode, string Error)> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    /// <summary>The AppHost as <c>dotnet run</c> starts it; its exit within <see cref="Bound"/>, one line, nothing left.</summary>
    private static async Task<(int ExitCode, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var clock = Stopwatch.StartNew();
        await using var run = AppHostProcess.Start(
            [.. arguments, "--TaskPipeline:Prometheus:Enabled=false", $"--Parameters:producer-api-key={AppArguments.ApiKey}"],
            environment: environment);
        var exitCode = await run.WaitForExitAsync(Bound);
        Assert.True(clock.Elapsed < Bound, $"the AppHost took {clock.Elapsed.TotalSeconds:0.0} s to stop");

        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"not one error line:\n{run.Error}\n{run.Output}");
        Assert.Empty(run.LeftRunning());
        return (exitCode, lines[0]);
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }
}
