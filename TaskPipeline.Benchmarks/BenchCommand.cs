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
    private static readonly string[] Workloads = ["max", "steady", "scale", "ceiling", "all", "reads", "soak", "idle", "curve", "scheduled"];

    public static RootCommand Create()
    {
        // Program moves to the AppHost's folder before the command runs: relative paths are the caller's.
        var callerDirectory = Directory.GetCurrentDirectory();

        var workload = new Option<string>("--workload")
        {
            Description = "max: 500,000 tasks at an unlimited rate with no simulated work, and the ceiling; steady: 1,000 tasks/s "
                + "with the default simulated work for 60 s; scale: max with 1, 2 and 4 consumers; ceiling: the lifecycle as plain "
                + "batched SQL only; all: max, steady and scale; reads: the API's reads timed on a seeded table (--rows) and an open "
            + "dashboard's cost; soak: a long run (--duration) at max with retention, and a reference run without; idle: the app up "
                + "with nothing to do for --seconds, each process's share of a core; curve: idle, then steady at each of --rates with "
                + "its reference (with --telemetry: all of it again with telemetry); scheduled: --tasks (100,000) delayed tasks due "
                + "evenly over --seconds (60), their due-to-processing latency and CPU per task",
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
            Description = "How long steady runs, and how long idle measures",
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

        var rates = new Option<string>("--rates")
        {
            Description = "The curve's rates in tasks per second, comma-separated",
            DefaultValueFactory = _ => string.Join(',', CurveBenchmark.DefaultRates),
            HelpName = "r1,r2,…",
        };
        rates.Validators.Add(result =>
        {
            if (ParseRates(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError("--rates must be one or more rates from 0.1 to 1000000 tasks/s, comma-separated, e.g. 10,100,1000");
            }
        });

        var rows = new Option<long>("--rows")
        {
            Description = "Rows reads seeds the tasks table with",
            DefaultValueFactory = _ => BenchmarkOptions.DefaultReadRows,
            HelpName = "n",
        };
        rows.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() is < 1000 or > 200_000_000)
            {
                result.AddError("--rows must be from 1000 to 200000000");
            }
        });

        var repeat = new Option<int>("--repeat")
        {
            Description = "Timed calls of each read (reads), after a warm-up",
            DefaultValueFactory = _ => BenchmarkOptions.DefaultReadRepeat,
            HelpName = "n",
        };
        repeat.Validators.Add(result => RequireRange(result.GetValueOrDefault<int>(), 10, 100_000, "--repeat", result));

        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long soak runs with retention: 600s, 10m, 00:10:00",
            DefaultValueFactory = _ => BenchmarkOptions.DefaultSoakDuration,
            CustomParser = result => ParseDuration(result, "--duration"),
            HelpName = "time",
        };

        var referenceDuration = new Option<TimeSpan?>("--reference-duration")
        {
            Description = "How long soak's reference run without retention lasts [default: --duration]",
            CustomParser = result => ParseDuration(result, "--reference-duration"),
            HelpName = "time",
        };

        var settle = new Option<TimeSpan?>("--settle")
        {
            Description = "From when soak judges the table flat [default: a third of --duration, at most 3 min]",
            CustomParser = result => ParseDuration(result, "--settle"),
            HelpName = "time",
        };

        var noReference = new Option<bool>("--no-reference")
        {
            Description = "Soak without its reference run (no throughput ratio): a quick run",
        };

        var notifyTrigger = new Option<string>("--notify-trigger")
        {
            Description = "The completion NOTIFY trigger (tasks_task_events_notify) during max, steady and soak: on, or off to measure what it costs",
            DefaultValueFactory = _ => NotifyTrigger.On,
            HelpName = "on|off",
        };
        notifyTrigger.AcceptOnlyFromAmong(NotifyTrigger.On, NotifyTrigger.Off);

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
            workload, tasks, seconds, rate, rates, warmup, consumers, rows, repeat, duration, referenceDuration, settle, noReference, notifyTrigger, unsafeCommit, telemetry, output, timeout, stateDirectory, set, verbose,
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
                Rates = ParseRates(parseResult.GetValue(rates))!,
                WarmupSeconds = parseResult.GetValue(warmup),
                Consumers = parseResult.GetValue(consumers),
                Rows = parseResult.GetValue(rows),
                Repeat = parseResult.GetValue(repeat),
                SoakDuration = parseResult.GetValue(duration),
                ReferenceDuration = parseResult.GetValue(noReference) ? TimeSpan.Zero : parseResult.GetValue(referenceDuration),
                SoakSettle = parseResult.GetValue(settle),
                // Soak runs at max unless a rate is given.
                SoakRate = parseResult.GetResult(rate) is { Implicit: false } ? parseResult.GetValue(rate) : null,
                NotifyTriggerOff = parseResult.GetValue(notifyTrigger) == NotifyTrigger.Off,
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

        string json, html;
        try
        {
            var runner = new BenchmarkRunner(options);
            switch (options.Workload)
            {
                case BenchmarkWorkload.Reads:
                    var reads = await new ReadsBenchmark(runner, options).RunAsync(cancellationToken);
                    (json, html) = (JsonSerializer.Serialize(reads, BenchmarkJsonContext.Default.ReadsReport), ReadsHtml.Render(reads));
                    break;
                case BenchmarkWorkload.Idle:
                    var idle = await new IdleBenchmark(runner, options).RunAsync(cancellationToken);
                    (json, html) = (JsonSerializer.Serialize(idle, BenchmarkJsonContext.Default.IdleReport), IdleHtml.Render(idle));
                    break;
                case BenchmarkWorkload.Curve:
                    var curve = await new CurveBenchmark(options).RunAsync(cancellationToken);
                    (json, html) = (JsonSerializer.Serialize(curve, BenchmarkJsonContext.Default.CurveReport), CurveHtml.Render(curve));
                    break;
                case BenchmarkWorkload.Scheduled:
                    var scheduled = await new ScheduledBenchmark(runner, options).RunAsync(cancellationToken);
                    (json, html) = (JsonSerializer.Serialize(scheduled, BenchmarkJsonContext.Default.ScheduledReport), ScheduledHtml.Render(scheduled));
                    break;
                case BenchmarkWorkload.Soak:
                    var soak = await new SoakBenchmark(runner, options).RunAsync(cancellationToken);
                    (json, html) = (JsonSerializer.Serialize(soak, BenchmarkJsonContext.Default.SoakReport), SoakHtml.Render(soak));
                    break;
                default:
                    var reports = await runner.RunAsync(cancellationToken);
                    json = reports.Count == 1
                        ? JsonSerializer.Serialize(reports[0], BenchmarkJsonContext.Default.BenchmarkReport)
                        : JsonSerializer.Serialize(reports, BenchmarkJsonContext.Default.ListBenchmarkReport);
                    html = BenchmarkHtml.Render(reports);
                    break;
            }
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

        var path = Path.GetFullPath(output ?? Path.Combine(
            Path.GetTempPath(),
            $"taskpipeline-bench-{options.Workload.ToString().ToLowerInvariant()}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json"));
        Console.WriteLine(json);
        await File.WriteAllTextAsync(path, json + Environment.NewLine, CancellationToken.None);
        var htmlPath = Path.ChangeExtension(path, ".html");
        await File.WriteAllTextAsync(htmlPath, html, CancellationToken.None);
        await Console.Error.WriteLineAsync($"report written to {path} and {htmlPath}");
        return 0;
    }

    /// <summary>"10,100,1000" as rates, ascending and distinct; null when any is not a rate from 0.1 to 1,000,000.</summary>
    private static List<double>? ParseRates(string? text)
    {
        var rates = new List<double>();
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate >= 0.1 && rate <= 1_000_000))
            {
                return null;
            }

            rates.Add(rate);
        }

        return rates.Count == 0 ? null : [.. rates.Distinct().Order()];
    }

    /// <summary>A duration as seconds, minutes or hours with a unit (90s, 10m, 1h) or as a TimeSpan (00:10:00).</summary>
    private static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result, string name)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : string.Empty;
        TimeSpan? value = null;
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0)
        {
            value = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(number),
                'm' => TimeSpan.FromMinutes(number),
                'h' => TimeSpan.FromHours(number),
                _ => null,
            };
        }

        if (value is null && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && parsed >= TimeSpan.Zero)
        {
            value = parsed;
        }

        if (value is not { } duration || duration < TimeSpan.FromSeconds(10) || duration > TimeSpan.FromDays(1))
        {
            result.AddError($"{name} must be a time from 10s to 24h, e.g. 60s, 10m or 00:10:00 (was '{text}')");
            return TimeSpan.Zero;
        }

        return duration;
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
