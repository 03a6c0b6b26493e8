using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The benchmark's command line: runs a workload on a fresh app (the real AppHost, through Aspire) and prints one JSON
/// report (an array for several runs), also written to a file. Progress goes to stderr, so stdout is the JSON alone.
/// Exit code 1 when a run could not finish. Any <c>--&lt;section&gt;:&lt;Key&gt;=&lt;value&gt;</c> argument goes to the AppHost.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] Workloads = ["max", "steady", "scale", "ceiling", "all"];

    public static RootCommand Create()
    {
        // Program moves to the AppHost's folder before the command runs: relative paths are the caller's.
        var callerDirectory = Directory.GetCurrentDirectory();

        var workload = new Option<string>("--workload")
        {
            Description = "max: 500,000 tasks at an unlimited rate with no simulated work, and the ceiling; steady: 1,000 tasks/s "
                + "with the default simulated work for 60 s; scale: max with 1, 2 and 4 consumers; ceiling: the lifecycle as plain "
                + "batched SQL only; all: max, steady and scale",
            DefaultValueFactory = _ => "max",
        };
        workload.AcceptOnlyFromAmong(Workloads);

        var tasks = new Option<long?>("--tasks")
        {
            Description = $"Tasks per run [default: {BenchmarkOptions.DefaultMaxTasks:N0}; steady: rate × seconds]",
            HelpName = "n",
        };
        tasks.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 1 or > 100_000_000)
            {
                result.AddError("--tasks must be from 1 to 100000000");
            }
        });

        var seconds = new Option<double>("--seconds")
        {
            Description = "How long steady runs",
            DefaultValueFactory = _ => BenchmarkOptions.DefaultSteadySeconds,
            HelpName = "s",
        };
        seconds.Validators.Add(result => RequireRange(result.GetValueOrDefault<double>(), 0.1, 86_400, "--seconds", result));

        var rate = new Option<double>("--rate")
        {
            Description = "Steady's rate in tasks per second",
            DefaultValueFactory = _ => BenchmarkOptions.DefaultSteadyRate,
            HelpName = "tasks/s",
        };
        rate.Validators.Add(result => RequireRange(result.GetValueOrDefault<double>(), 0.1, 1_000_000, "--rate", result));

        var warmup = new Option<double>("--warmup")
        {
            Description = "Seconds steady runs before it measures (left out of the report)",
            DefaultValueFactory = _ => BenchmarkOptions.DefaultWarmupSeconds,
            HelpName = "s",
        };
        warmup.Validators.Add(result => RequireRange(result.GetValueOrDefault<double>(), 0, 600, "--warmup", result));

        var output = new Option<string?>("--output")
        {
            Description = "Where the JSON report is written [default: taskpipeline-bench-<workload>-<time>.json in the temp folder]",
            HelpName = "file.json",
        };

        var unsafeCommit = new Option<bool>("--unsafe-commit")
        {
            Description = "Run PostgreSQL with synchronous_commit = off (faster; a crash may lose the last commits); the report says so",
        };

        var timeout = new Option<double?>("--timeout")
        {
            Description = "Most seconds one run may take [default: from its size]",
            HelpName = "s",
        };

        var stateDirectory = new Option<string?>("--state-dir")
        {
            Description = "Where each run's PostgreSQL keeps its data, emptied when the run starts [default: a new folder in the temp folder, deleted afterwards]",
            HelpName = "path",
        };

        var verbose = new Option<bool>("--verbose")
        {
            Description = "Print the services' and PostgreSQL's output (stderr)",
        };

        var consumers = new Option<int>("--consumers")
        {
            Description = "Consumer replicas of max and steady",
            DefaultValueFactory = _ => 2,
            HelpName = "n",
        };
        consumers.Validators.Add(result => RequireRange(result.GetValueOrDefault<int>(), 1, 64, "--consumers", result));

        var telemetry = new Option<bool>("--telemetry")
        {
            Description = "Run the Aspire dashboard and let the services export their telemetry to it over OTLP (off by default; the report warns)",
        };

        var set = new Option<string[]>("--set")
        {
            Description = "A service setting, <resource>:<Key>=<value> (the same as the AppHost argument --<resource>:<Key>=<value>)",
            HelpName = "resource:Key=value",
            AllowMultipleArgumentsPerToken = false,
        };
        set.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!AppHostArguments.TryParse("--" + token.Value, out _, out _))
                {
                    result.AddError($"--set {token.Value}: expected <resource>:<Key>=<value>, e.g. producer:Producer:Rate=100");
                }
            }
        });

        var command = new RootCommand(
            "Benchmarks TaskPipeline on a fresh app started through Aspire and prints a JSON report (build with -c Release for real numbers). "
            + "Any --<section>:<Key>=<value> argument is passed to the AppHost, e.g. --TaskPipeline:Database:Proxied=true or --producer:Producer:BatchSize=500.")
        {
            workload, tasks, seconds, rate, warmup, consumers, unsafeCommit, telemetry, output, timeout, stateDirectory, set, verbose,
        };
        command.TreatUnmatchedTokensAsErrors = false;

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.UnmatchedTokens.FirstOrDefault(token => !AppHostArguments.TryParse(token, out _, out _)) is { } unknown)
            {
                await Console.Error.WriteLineAsync($"error: unknown argument '{unknown}': not an option, nor an AppHost setting --<section>:<Key>=<value>");
                return 1;
            }

            var options = new BenchmarkOptions
            {
                Workload = Enum.Parse<BenchmarkWorkload>(parseResult.GetValue(workload)!, ignoreCase: true),
                Tasks = parseResult.GetValue(tasks),
                Seconds = parseResult.GetValue(seconds),
                Rate = parseResult.GetValue(rate),
                WarmupSeconds = parseResult.GetValue(warmup),
                Consumers = parseResult.GetValue(consumers),
                UnsafeCommit = parseResult.GetValue(unsafeCommit),
                Telemetry = parseResult.GetValue(telemetry),
                StateDirectory = parseResult.GetValue(stateDirectory) is { } path ? Path.GetFullPath(path, callerDirectory) : null,
                Timeout = parseResult.GetValue(timeout) is { } limit ? TimeSpan.FromSeconds(limit) : null,
                Progress = Console.Error,
                Verbose = parseResult.GetValue(verbose),
                AppHostArguments =
                [
                    .. (parseResult.GetValue(set) ?? []).Select(setting => "--" + setting),
                    .. parseResult.UnmatchedTokens,
                ],
            };
            return await RunAsync(options, parseResult.GetValue(output) is { } file ? Path.GetFullPath(file, callerDirectory) : null, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(BenchmarkOptions options, string? output, CancellationToken cancellationToken)
    {
        if (!ProcFs.IsAvailable)
        {
            await Console.Error.WriteLineAsync("error: the benchmark reads CPU and memory from /proc, which this system does not have (Linux only)");
            return 1;
        }

        List<BenchmarkReport> reports;
        try
        {
            reports = await new BenchmarkRunner(options).RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("benchmark stopped");
            return 1;
        }
        catch (BenchmarkException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            foreach (var line in exception.Tail)
            {
                await Console.Error.WriteLineAsync($"  {line}");
            }

            return 1;
        }

        var json = reports.Count == 1
            ? JsonSerializer.Serialize(reports[0], BenchmarkJsonContext.Default.BenchmarkReport)
            : JsonSerializer.Serialize(reports, BenchmarkJsonContext.Default.ListBenchmarkReport);
        var path = Path.GetFullPath(output ?? Path.Combine(
            Path.GetTempPath(),
            $"taskpipeline-bench-{options.Workload.ToString().ToLowerInvariant()}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json"));
        Console.WriteLine(json);
        await File.WriteAllTextAsync(path, json + Environment.NewLine, CancellationToken.None);
        var html = Path.ChangeExtension(path, ".html");
        await File.WriteAllTextAsync(html, BenchmarkHtml.Render(reports), CancellationToken.None);
        await Console.Error.WriteLineAsync($"report written to {path} and {html}");
        return 0;
    }

    private static void RequireRange(int value, int min, int max, string name, System.CommandLine.Parsing.OptionResult result)
    {
        if (value < min || value > max)
        {
            result.AddError($"{name} must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static void RequireRange(double value, double min, double max, string name, System.CommandLine.Parsing.OptionResult result)
    {
        if (!(value >= min && value <= max))
        {
            result.AddError($"{name} must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
