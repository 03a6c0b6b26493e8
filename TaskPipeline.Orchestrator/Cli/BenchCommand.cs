using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TaskPipeline.AppHost.Benchmark;
using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Cli;

/// <summary>
/// <c>bench</c>: runs a benchmark workload on a fresh app and prints one JSON report (an array for several runs), also
/// written to a file. Progress goes to stderr, so stdout is the JSON alone. Exit code 1 when a run could not finish.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] Workloads = ["max", "steady", "scale", "ceiling", "all"];

    public static Command Create(PipelineCliOptions pipeline)
    {
        var workload = new Option<string>("--workload")
        {
            Description = "max: 200,000 tasks at an unlimited rate with no simulated work, and the ceiling; steady: 1,000 tasks/s "
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

        var command = new Command("bench", "Benchmarks the pipeline on a fresh app and prints a JSON report (build with -c Release for real numbers).")
        {
            workload, tasks, seconds, rate, warmup, pipeline.Consumers, unsafeCommit, output, timeout, stateDirectory, pipeline.Settings, verbose,
        };

        command.SetAction(async (parseResult, _) =>
        {
            var options = new BenchmarkOptions
            {
                Workload = Enum.Parse<BenchmarkWorkload>(parseResult.GetValue(workload)!, ignoreCase: true),
                Tasks = parseResult.GetValue(tasks),
                Seconds = parseResult.GetValue(seconds),
                Rate = parseResult.GetValue(rate),
                WarmupSeconds = parseResult.GetValue(warmup),
                Consumers = parseResult.GetValue(pipeline.Consumers),
                UnsafeCommit = parseResult.GetValue(unsafeCommit),
                StateDirectory = parseResult.GetValue(stateDirectory),
                Timeout = parseResult.GetValue(timeout) is { } limit ? TimeSpan.FromSeconds(limit) : null,
                Progress = Console.Error,
                ServiceOutput = parseResult.GetValue(verbose) ? Console.Error : null,
            };
            foreach (var setting in parseResult.GetValue(pipeline.Settings) ?? [])
            {
                // Validated at parse time.
                if (!SettingOption.TryParse(setting, out var resource, out var key, out var value))
                {
                    continue;
                }

                if (!options.Settings.TryGetValue(resource, out var settings))
                {
                    settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                    options.Settings[resource] = settings;
                }

                settings[key] = value;
            }

            return await RunAsync(options, parseResult.GetValue(output));
        });
        return command;
    }

    private static async Task<int> RunAsync(BenchmarkOptions options, string? output)
    {
        if (options.Consumers < 1)
        {
            await Console.Error.WriteLineAsync("error: the benchmark needs at least one consumer (--consumers)");
            return 1;
        }

        if (!ProcFs.IsAvailable)
        {
            await Console.Error.WriteLineAsync("error: the benchmark reads CPU and memory from /proc, which this system does not have (Linux only)");
            return 1;
        }

        using var shutdown = new ShutdownSignal();
        List<BenchmarkReport> reports;
        try
        {
            reports = await new BenchmarkRunner(options).RunAsync(shutdown.Token);
        }
        catch (OperationCanceledException) when (shutdown.IsRequested)
        {
            await Console.Error.WriteLineAsync("benchmark stopped");
            return 1;
        }
        catch (PipelineStartException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
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
        await File.WriteAllTextAsync(path, json + Environment.NewLine);
        await Console.Error.WriteLineAsync($"report written to {path}");
        return 0;
    }

    private static void RequireRange(double value, double min, double max, string name, System.CommandLine.Parsing.OptionResult result)
    {
        if (!(value >= min && value <= max))
        {
            result.AddError($"{name} must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
