using System.Diagnostics;
using System.Globalization;

namespace TaskPipeline.Tests.Support;

/// <summary>
/// The real Aspire AppHost, built, run as a process from its project folder as a user or azd runs it (the built
/// assembly, to skip the build check). Every process of a run carries a marker in its environment, so anything it leaves
/// running (DCP, the dashboard, postgres, the services) can be found.
/// </summary>
internal static class AppHostProcess
{
    private const string Marker = "TASKPIPELINE_APPHOST_TEST_RUN";

    /// <summary>The AppHost's folder, from its project metadata (Aspire gives the folder; older versions the .csproj).</summary>
    public static string ProjectDirectory { get; } = Projects.TaskPipeline_AppHost.ProjectPath is var path
        && path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) ? Path.GetDirectoryName(path)! : path.TrimEnd(Path.DirectorySeparatorChar);

    public static string RepositoryDirectory { get; } = Path.GetDirectoryName(ProjectDirectory)!;

    /// <summary>
    /// The AppHost's own build output for the test's configuration and framework (TaskPipeline.Tests/bin/&lt;c&gt;/&lt;tfm&gt;/
    /// → TaskPipeline.AppHost/bin/&lt;c&gt;/&lt;tfm&gt;/), else the copy beside the tests.
    /// </summary>
    public static string Assembly { get; } = FindAssembly();

    /// <summary>Publishing (azd's environment: no Development settings); to its end within 90 s.</summary>
    public static async Task<(int ExitCode, string Output, string Error, IReadOnlyList<string> LeftRunning)> RunAsync(params string[] arguments)
    {
        await using var run = Start(arguments, development: false);
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return (exitCode, run.Output, run.Error, run.LeftRunning());
    }

    /// <summary>
    /// Started as <c>dotnet run --project TaskPipeline.AppHost</c> starts it with <paramref name="development"/> (the
    /// launch profile's environment), but with the dashboard's three ports free ones, so runs do not collide.
    /// </summary>
    public static Run Start(IEnumerable<string> arguments, bool development = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        var marker = Guid.NewGuid().ToString("N");
        var start = ChildProcess.StartInfo("dotnet", [Assembly, .. arguments], ProjectDirectory);
        start.Environment[Marker] = marker;
        // The test host's own settings are not the run's.
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        if (development)
        {
            int[] ports = [FreePorts.Next(), FreePorts.Next(), FreePorts.Next()];
            start.Environment["DOTNET_ENVIRONMENT"] = "Development";
            start.Environment["ASPNETCORE_URLS"] = $"http://localhost:{ports[0].ToString(CultureInfo.InvariantCulture)}";
            start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{ports[1].ToString(CultureInfo.InvariantCulture)}";
            start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{ports[2].ToString(CultureInfo.InvariantCulture)}";
            start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new Run(Process.Start(start)!, marker);
    }

    private static string FindAssembly()
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = tests.Name;
        var configuration = tests.Parent!.Name;
        var own = Path.Combine(ProjectDirectory, "bin", configuration, framework, "TaskPipeline.AppHost.dll");
        if (File.Exists(own))
        {
            return own;
        }

        var copy = Path.Combine(AppContext.BaseDirectory, "TaskPipeline.AppHost.dll");
        return File.Exists(copy) ? copy : throw new FileNotFoundException($"the AppHost is not built: neither {own} nor {copy}");
    }

    /// <summary>One running AppHost process and what it has printed so far; killed with its tree when disposed early.</summary>
    internal sealed class Run : IAsyncDisposable
    {
        private readonly System.Text.StringBuilder _output = new();
        private readonly System.Text.StringBuilder _error = new();
        private readonly Task _copying;
        private readonly string _marker;

        public Run(Process process, string marker)
        {
            Process = process;
            _marker = marker;
            _copying = Task.WhenAll(CopyAsync(process.StandardOutput, _output), CopyAsync(process.StandardError, _error));
        }

        public Process Process { get; }

        public string Output => Read(_output);

        public string Error => Read(_error);

        /// <summary>Until the output holds <paramref name="text"/>; false when the process ended or the time ran out first.</summary>
        public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < timeout)
            {
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }

                if (Process.HasExited)
                {
                    return false;
                }

                await Task.Delay(100);
            }

            return false;
        }

        /// <summary>SIGINT, as Ctrl+C in a terminal sends it.</summary>
        public async Task InterruptAsync()
        {
            using var kill = Process.Start("kill", ["-INT", Process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        /// <summary>The exit code; the process and its tree are killed, and the test fails, past <paramref name="timeout"/>.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await Process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the AppHost did not exit within {timeout.TotalSeconds:0} s:\n{Output}{Error}");
            }

            await _copying;
            return Process.ExitCode;
        }

        /// <summary>What is still running after <paramref name="grace"/> at most: DCP takes its processes down as it goes.</summary>
        public async Task<IReadOnlyList<string>> LeftRunningAfterAsync(TimeSpan grace)
        {
            var deadline = Stopwatch.StartNew();
            var left = LeftRunning();
            while (left.Count > 0 && deadline.Elapsed < grace)
            {
                await Task.Delay(500);
                left = LeftRunning();
            }

            return left;
        }

        /// <summary>"pid cmdline" of every process whose environment carries the run's marker.</summary>
        public IReadOnlyList<string> LeftRunning()
        {
            var found = new List<string>();
            var needle = $"{Marker}={_marker}";
            foreach (var proc in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(proc), out var pid))
                {
                    continue;
                }

                try
                {
                    var environment = File.ReadAllText(Path.Combine(proc, "environ"));
                    if (environment.Split('\0').Contains(needle))
                    {
                        found.Add($"{pid} {File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ')}");
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Gone while we looked, or not ours to read.
                }
            }

            return found;
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }

            Process.Dispose();
        }

        private static string Read(System.Text.StringBuilder text)
        {
            lock (text)
            {
                return text.ToString();
            }
        }

        private static async Task CopyAsync(StreamReader reader, System.Text.StringBuilder into)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (into)
                {
                    into.Append(buffer, 0, read);
                }
            }
        }
    }
}
