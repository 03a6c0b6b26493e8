using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using TaskPipeline.Benchmarks;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Benchmark;

/// <summary>
/// The benchmark, small: every workload through the built TaskPipeline.Benchmarks exactly as the README runs it (the
/// real AppHost through Aspire, the machine's PostgreSQL, real services), checking that the report is complete and sane.
/// No speed is asserted: these numbers come from a busy test machine; the point is that the benchmark keeps working.
/// </summary>
[Collection(BenchmarkTests.Name)]
public sealed class BenchCommandTests
{
    private const int SmokeTasks = 2000;

    /// <summary>The Consumer's per-task log category, which the benchmark raises to Warning.</summary>
    private const string PerTaskLogCategory = "Logging:LogLevel:TaskPipeline.Consumer.Submit.TaskProcessorService";

    /// <summary>The ceiling's rows per statement.</summary>
    private const int CeilingBatchSize = 1000;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task AllWorkloadsRunSmallAndReportEveryFieldWithSaneValues()
    {
        // max (2 consumers, with its ceiling), steady (1 s of warm-up, then 4 s at 500/s), then scale with 1, 2 and 4 consumers.
        var (reports, html) = await RunBenchAsync("all", "--tasks", "2000", "--rate", "500", "--warmup", "1");

        Assert.Equal(["max", "steady", "scale", "scale", "scale"], reports.Select(r => r.GetProperty("workload").GetString()));
        Assert.Equal([2, 2, 1, 2, 4], reports.Select(r => r.GetProperty("settings").GetProperty("consumers").GetInt32()));
        foreach (var report in reports)
        {
            var workload = report.GetProperty("workload").GetString();
            AssertCommonFields(report);
            AssertPositive(report.GetProperty("cpuMsPer1000Tasks"), "producer", "consumer", "postgres");
            AssertPositive(report.GetProperty("peakRssMb"), "producer", "consumer", "postgres");

            var settings = report.GetProperty("settings");
            Assert.Equal("on", settings.GetProperty("synchronousCommit").GetString());
            Assert.Equal(1, settings.GetProperty("producers").GetInt32());
            Assert.Equal("Production", settings.GetProperty("environment").GetString());
            Assert.DoesNotContain(settings.GetProperty("warnings").EnumerateArray(), warning => warning.GetString()!.Contains("replaced", StringComparison.Ordinal));
            Assert.Equal("Warning", settings.GetProperty("consumer").GetProperty(PerTaskLogCategory).GetString());
            Assert.True(settings.GetProperty("producerBatchSize").GetInt32() > 0);
            Assert.True(settings.GetProperty("consumerMaxBatchSize").GetInt32() > 0);
            if (workload == "steady")
            {
                Assert.Equal(JsonValueKind.Null, report.GetProperty("ceilingTasksPerSecond").ValueKind);
                Assert.Equal(JsonValueKind.Null, report.GetProperty("ceilingRatio").ValueKind);
                Assert.Equal(500, settings.GetProperty("rate").GetDouble());
                Assert.Equal(500, settings.GetProperty("warmupTasks").GetInt64());
                Assert.Equal(1, settings.GetProperty("delayPerValueMs").GetDouble());
                // Each task's own simulated delay (value × 1 ms) is part of its latency, never of what is beyond it.
                Assert.True(report.GetProperty("latencyMs").GetProperty("max").GetDouble() >= report.GetProperty("latencyBeyondDelayMs").GetProperty("max").GetDouble());
                // The naive reference ran in the same run: its CPU (client and server) and latency, and the ratio to it.
                var reference = report.GetProperty("reference");
                Assert.Equal(["cpuMicrosecondsPerTask", "latencyMs"], reference.EnumerateObject().Select(p => p.Name));
                Assert.Equal(["p50", "p99"], reference.GetProperty("latencyMs").EnumerateObject().Select(p => p.Name));
                Assert.True(reference.GetProperty("cpuMicrosecondsPerTask").GetDouble() > 0);
                Assert.True(reference.GetProperty("latencyMs").GetProperty("p50").GetDouble() > 0);
                Assert.True(reference.GetProperty("latencyMs").GetProperty("p99").GetDouble() >= reference.GetProperty("latencyMs").GetProperty("p50").GetDouble());
                var pipelineCpu = (string[])["producer", "consumer", "postgres"];
                var expectedRatio = pipelineCpu.Sum(resource => report.GetProperty("cpuMsPer1000Tasks").GetProperty(resource).GetDouble())
                    / reference.GetProperty("cpuMicrosecondsPerTask").GetDouble();
                Assert.Equal(expectedRatio, report.GetProperty("costRatio").GetDouble(), 0.002);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, report.GetProperty("reference").ValueKind);
                Assert.Equal(JsonValueKind.Null, report.GetProperty("costRatio").ValueKind);
                Assert.True(report.GetProperty("ceilingTasksPerSecond").GetDouble() > 0);
                Assert.True(report.GetProperty("ceilingRatio").GetDouble() > 0);
                Assert.Equal(0, settings.GetProperty("rate").GetDouble());
                Assert.Equal(0, settings.GetProperty("warmupTasks").GetInt64());
                Assert.Equal(0, settings.GetProperty("delayPerValueMs").GetDouble());
                Assert.Equal(CeilingBatchSize, settings.GetProperty("ceiling").GetProperty("batchSize").GetInt32());
            }
        }

        AssertSelfContainedHtml(html, reports.Count);
    }

    [Fact]
    public async Task CeilingRunsAloneAndUnsafeCommitIsLabelled()
    {
        var (reports, html) = await RunBenchAsync("ceiling", "--tasks", "2000", "--unsafe-commit");

        var report = Assert.Single(reports);
        Assert.Equal("ceiling", report.GetProperty("workload").GetString());
        AssertCommonFields(report);
        Assert.Equal(report.GetProperty("tasksPerSecond").GetDouble(), report.GetProperty("ceilingTasksPerSecond").GetDouble());
        AssertPositive(report.GetProperty("cpuMsPer1000Tasks"), "postgres");
        Assert.Equal(JsonValueKind.Null, report.GetProperty("cpuMsPer1000Tasks").GetProperty("consumer").ValueKind);
        var settings = report.GetProperty("settings");
        Assert.Equal("off", settings.GetProperty("synchronousCommit").GetString());
        Assert.Contains(settings.GetProperty("warnings").EnumerateArray(), warning => warning.GetString()!.Contains("synchronous_commit", StringComparison.Ordinal));
        AssertSelfContainedHtml(html, 1);
        Assert.Contains("synchronous_commit", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SoakRunsSmallAtARateWithMaxsServiceSettingsAndAuditsEveryTaskOnce()
    {
        // 25 s with retention, then 12 s without: too short for the table to settle, long enough for every field.
        var (reports, html) = await RunBenchAsync("soak", "--rate", "500", "--duration", "25s", "--reference-duration", "12s");

        var report = Assert.Single(reports);
        Assert.Equal("soak", report.GetProperty("workload").GetString());
        foreach (var (name, retention) in (IEnumerable<(string, string?)>)[("run", "00:01:00"), ("reference", null)])
        {
            var run = report.GetProperty(name);
            Assert.Equal(retention, run.GetProperty("retention").GetString());
            Assert.True(run.GetProperty("tasksPerSecond").GetDouble() > 0);
            var audit = run.GetProperty("audit");
            Assert.True(audit.GetProperty("exactlyOnce").GetBoolean());
            Assert.True(audit.GetProperty("inserted").GetInt64() > 0);
            Assert.Equal(audit.GetProperty("inserted").GetInt64(), audit.GetProperty("left").GetInt64() + audit.GetProperty("deleted").GetInt64());
            Assert.Equal(audit.GetProperty("inserted").GetInt64(), audit.GetProperty("ended").GetInt64());
            Assert.Equal(0, audit.GetProperty("open").GetInt64());
            Assert.NotEmpty(run.GetProperty("samples").EnumerateArray());
            Assert.All(run.GetProperty("readMs").EnumerateObject(), read => Assert.True(read.Value.GetProperty("samples").GetInt32() > 0));
        }

        Assert.True(report.GetProperty("throughputRatio").GetDouble() > 0);
        Assert.Equal(JsonValueKind.False, report.GetProperty("flat").ValueKind);
        var settings = report.GetProperty("settings");
        Assert.Equal(500, settings.GetProperty("rate").GetDouble());
        // max's settings at a rate: without them the Consumers' concurrency caps a soak near 2,000 tasks/s.
        Assert.Equal("00:00:00", settings.GetProperty("consumer").GetProperty("Consumer:DelayPerValue").GetString());
        AssertSelfContainedHtml(html, 2);
    }

    [Fact]
    public async Task IdleReportsEachProcesssShareOfACoreWhileTheAppHasNothingToDo()
    {
        var (reports, html) = await RunBenchAsync("idle", "--seconds", "5");

        var report = Assert.Single(reports);
        Assert.Equal("idle", report.GetProperty("workload").GetString());
        Assert.InRange(report.GetProperty("seconds").GetDouble(), 5, 15);
        var cores = report.GetProperty("corePercent");
        foreach (var process in (string[])["producer", "consumer", "postgres", "dcp", "apphost"])
        {
            Assert.InRange(cores.GetProperty(process).GetDouble(), 0, 200);
        }

        // DCP detaches from the process that starts it: found by its --monitor argument, it has spent something.
        Assert.True(cores.GetProperty("dcp").GetDouble() > 0, "no CPU found for DCP");
        // No dashboard without --telemetry.
        Assert.Equal(JsonValueKind.Null, cores.GetProperty("dashboard").ValueKind);
        var pipeline = cores.GetProperty("producer").GetDouble() + cores.GetProperty("consumer").GetDouble() + cores.GetProperty("postgres").GetDouble();
        Assert.Equal(Math.Round(pipeline, 3), report.GetProperty("pipelineCorePercent").GetDouble(), 3);
        // The app as a user gets it: the Producer made one task and stopped; the per-task log line is on.
        var settings = report.GetProperty("settings");
        Assert.Equal("1", settings.GetProperty("producer").GetProperty("Producer:MaxTasks").GetString());
        Assert.False(settings.GetProperty("consumer").TryGetProperty(PerTaskLogCategory, out _));
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(html, "<svg "));
    }

    [Fact]
    public async Task ScheduledReportsHowLateEachDelayedTaskWasClaimedAndNoneEarly()
    {
        var (reports, html) = await RunBenchAsync("scheduled", "--tasks", "3000", "--seconds", "3");

        var report = Assert.Single(reports);
        Assert.Equal("scheduled", report.GetProperty("workload").GetString());
        Assert.Equal(3000, report.GetProperty("tasks").GetInt64());
        Assert.Equal(1000, report.GetProperty("duePerSecond").GetDouble());
        Assert.Equal(0, report.GetProperty("claimedEarly").GetInt64());
        var latency = report.GetProperty("dueToProcessingMs");
        // Every task was claimed at or after its due time, and the percentiles are in order.
        Assert.True(latency.GetProperty("p50").GetDouble() >= 0);
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("p999").GetDouble());
        Assert.True(latency.GetProperty("p999").GetDouble() <= latency.GetProperty("max").GetDouble());
        var cpu = report.GetProperty("cpuMicrosecondsPerTask");
        foreach (var process in (string[])["producer", "consumer", "postgres"])
        {
            Assert.True(cpu.GetProperty(process).GetDouble() > 0, $"no CPU per task for {process}");
        }

        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(html, "<svg "));
    }

    [Fact]
    public async Task CurveRunsIdleAndSteadyAtEachRateWithItsReferenceAndDrawsTheCostCurve()
    {
        var (reports, html) = await RunBenchAsync("curve", "--rates", "500,200", "--seconds", "3", "--warmup", "1");

        var report = Assert.Single(reports);
        Assert.Equal("curve", report.GetProperty("workload").GetString());
        Assert.Equal([200d, 500d], report.GetProperty("rates").EnumerateArray().Select(rate => rate.GetDouble()));
        var runs = report.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([200d, 500d], runs.Select(run => run.GetProperty("settings").GetProperty("rate").GetDouble()));
        foreach (var run in runs)
        {
            Assert.Equal("steady", run.GetProperty("workload").GetString());
            Assert.False(run.GetProperty("settings").GetProperty("telemetry").GetBoolean());
            Assert.True(run.GetProperty("reference").GetProperty("cpuMicrosecondsPerTask").GetDouble() > 0);
            Assert.True(run.GetProperty("costRatio").GetDouble() > 0);
            var host = run.GetProperty("hostCpuMsPer1000Tasks");
            Assert.True(host.GetProperty("dcp").GetDouble() >= 0);
            Assert.Equal(JsonValueKind.Null, host.GetProperty("dashboard").ValueKind);
        }

        var idle = Assert.Single(report.GetProperty("idle").EnumerateArray());
        Assert.Equal("idle", idle.GetProperty("workload").GetString());
        Assert.True(idle.GetProperty("pipelineCorePercent").GetDouble() >= 0);
        // One log–log chart: the pipeline and the reference, a point per rate each.
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(html, "<svg "));
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Count(html, "<circle "));
        Assert.Contains("naive reference", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcFsReadsThisProcesssCpuAndPeakMemory()
    {
        // Burn a little CPU so the figure cannot be zero at the kernel's 10 ms resolution.
        var until = Stopwatch.StartNew();
        var spin = 0L;
        while (until.ElapsedMilliseconds < 50)
        {
            spin++;
        }

        var cpu = ProcFs.ReadCpu(Environment.ProcessId);

        Assert.True(spin > 0);
        Assert.NotNull(cpu);
        Assert.True(cpu.Value.Own > TimeSpan.Zero);
        Assert.True(cpu.Value.ParentPid > 0);
        Assert.True(ProcFs.ReadPeakRss(Environment.ProcessId) > 1024 * 1024);
        Assert.Contains(ProcFs.ReadChildren(cpu.Value.ParentPid), child => child.Pid == Environment.ProcessId);
        Assert.Contains(ProcFs.ReadTree(cpu.Value.ParentPid, ProcFs.ReadAll()), process => process.Pid == Environment.ProcessId);
        Assert.Contains("dotnet", string.Join(" ", ProcFs.ReadCommandLine(Environment.ProcessId)), StringComparison.Ordinal);
        Assert.Null(ProcFs.ReadCpu(int.MaxValue));
    }

    private static void AssertCommonFields(JsonElement report)
    {
        Assert.Equal(SmokeTasks, report.GetProperty("tasks").GetInt64());
        Assert.True(report.GetProperty("seconds").GetDouble() > 0);
        Assert.True(report.GetProperty("tasksPerSecond").GetDouble() > 0);
        foreach (var name in (string[])["latencyMs", "latencyBeyondDelayMs"])
        {
            var latency = report.GetProperty(name);
            var p50 = latency.GetProperty("p50").GetDouble();
            var p95 = latency.GetProperty("p95").GetDouble();
            var p99 = latency.GetProperty("p99").GetDouble();
            var p999 = latency.GetProperty("p999").GetDouble();
            var max = latency.GetProperty("max").GetDouble();
            Assert.True(p50 <= p95 && p95 <= p99 && p99 <= p999 && p999 <= max, $"{name}: {p50} ≤ {p95} ≤ {p99} ≤ {p999} ≤ {max}");
        }

        // The CDF: the latency at each whole percentile, non-decreasing, from the fastest task to the slowest.
        var cdf = report.GetProperty("latencyCdfMs").EnumerateArray().Select(value => value.GetDouble()).ToArray();
        Assert.Equal(101, cdf.Length);
        Assert.True(cdf.Zip(cdf.Skip(1)).All(pair => pair.First <= pair.Second), string.Join(", ", cdf));
        Assert.Equal(report.GetProperty("latencyMs").GetProperty("max").GetDouble(), cdf[^1], 1);
        Assert.Equal(101, report.GetProperty("latencyBeyondDelayCdfMs").GetArrayLength());

        // The timeline: every measured task is done in exactly one bucket.
        var timeline = report.GetProperty("timeline");
        var bucket = timeline.GetProperty("bucketSeconds").GetDouble();
        var done = timeline.GetProperty("tasksPerSecond").EnumerateArray().Sum(value => value.GetDouble() * bucket);
        Assert.Equal(report.GetProperty("tasks").GetInt64(), done, 0.5 * timeline.GetProperty("tasksPerSecond").GetArrayLength());

        Assert.True(report.GetProperty("latencyMs").GetProperty("p50").GetDouble() >= 0);
        var settings = report.GetProperty("settings");
        Assert.False(string.IsNullOrEmpty(settings.GetProperty("build").GetString()));
        Assert.False(string.IsNullOrEmpty(settings.GetProperty("commit").GetString()));
        Assert.True(DateTimeOffset.TryParse(settings.GetProperty("date").GetString(), CultureInfo.InvariantCulture, out _));
        Assert.Equal(Environment.ProcessorCount, settings.GetProperty("machine").GetProperty("processors").GetInt32());
        Assert.StartsWith("15", settings.GetProperty("machine").GetProperty("postgres").GetString() ?? "", StringComparison.Ordinal);
    }

    private static void AssertPositive(JsonElement figures, params string[] resources)
    {
        foreach (var resource in resources)
        {
            Assert.True(figures.GetProperty(resource).GetDouble() > 0, $"{resource}: {figures.GetProperty(resource)}");
        }
    }

    /// <summary>The HTML report opens with nothing from the network: no scripts, styles, images or fonts fetched.</summary>
    private static void AssertSelfContainedHtml(string html, int runs)
    {
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        // The one address is SVG's namespace, an identifier that is never fetched.
        Assert.Empty(System.Text.RegularExpressions.Regex.Matches(html, "https?://(?!www\\.w3\\.org/2000/svg\")"));
        Assert.Equal(runs, System.Text.RegularExpressions.Regex.Count(html, "<h2>"));
        Assert.True(System.Text.RegularExpressions.Regex.Count(html, "<svg ") >= 3 * runs);
    }

    /// <summary>
    /// Runs <c>dotnet TaskPipeline.Benchmarks.dll --workload …</c> from its own build folder; the JSON on stdout must
    /// equal the file's, and the HTML report is written beside it.
    /// </summary>
    private static async Task<(List<JsonElement> Reports, string Html)> RunBenchAsync(string workload, params string[] arguments)
    {
        var directory = TestDirectories.Create($"bench-{workload}");
        try
        {
            var output = Path.Combine(directory, "report.json");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])[BenchmarksAssembly(), "--workload", workload, "--output", output, "--state-dir", directory, .. arguments])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"--workload {workload} did not finish within {CommandTimeout}: {await stderr}");
            }

            Assert.True(process.ExitCode == 0, $"--workload {workload} exited with {process.ExitCode}: {await stderr}");
            var printed = (await stdout).Trim();
            Assert.Equal(printed, (await File.ReadAllTextAsync(output)).Trim());

            var html = await File.ReadAllTextAsync(Path.ChangeExtension(output, ".html"));
            using var document = JsonDocument.Parse(printed);
            var root = document.RootElement;
            return (root.ValueKind == JsonValueKind.Array
                ? [.. root.EnumerateArray().Select(report => report.Clone())]
                : [root.Clone()], html);
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }

    /// <summary>TaskPipeline.Benchmarks.dll as its project built it (this test project's configuration), as <c>dotnet run</c> would start it.</summary>
    private static string BenchmarksAssembly()
    {
        var configuration = typeof(BenchCommandTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var path = RepositoryFiles.PathOf(Path.Combine("TaskPipeline.Benchmarks", "bin", configuration, framework, "TaskPipeline.Benchmarks.dll"));
        return File.Exists(path) ? path : typeof(ProcFs).Assembly.Location;
    }
}
