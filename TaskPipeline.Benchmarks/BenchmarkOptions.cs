namespace TaskPipeline.Benchmarks;

/// <summary>What to run, as the command line asked.</summary>
internal sealed class BenchmarkOptions
{
    public const long DefaultMaxTasks = 500_000;
    public const double DefaultSteadyRate = 1000;
    public const double DefaultSteadySeconds = 60;
    public const double DefaultWarmupSeconds = 5;
    public const long DefaultReadRows = 10_000_000;
    public const int DefaultReadRepeat = 200;
    public static readonly TimeSpan DefaultSoakDuration = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultSoakRetention = TimeSpan.FromSeconds(60);
    public static readonly IReadOnlyList<int> ScaleReplicas = [1, 2, 4];

    public BenchmarkWorkload Workload { get; set; } = BenchmarkWorkload.Max;

    /// <summary>Tasks per run of max, scale and ceiling (and of steady, when given: then it overrides seconds).</summary>
    public long? Tasks { get; set; }

    /// <summary>How long steady runs.</summary>
    public double Seconds { get; set; } = DefaultSteadySeconds;

    /// <summary>Steady runs this long before what it measures (a fresh process compiles its code on first use).</summary>
    public double WarmupSeconds { get; set; } = DefaultWarmupSeconds;

    /// <summary>Steady's rate in tasks per second.</summary>
    public double Rate { get; set; } = DefaultSteadyRate;

    /// <summary>Consumer replicas of max and steady (scale runs 1, 2 and 4).</summary>
    public int Consumers { get; set; } = 2;

    /// <summary>synchronous_commit = off: faster, and a crash may lose the last commits. Reports are labelled.</summary>
    public bool UnsafeCommit { get; set; }

    /// <summary>
    /// The Aspire dashboard runs and the services export their telemetry to it over OTLP (as under <c>dotnet run</c>
    /// of the AppHost); off by default, so that what is measured is the pipeline, not its telemetry export.
    /// </summary>
    public bool Telemetry { get; set; }

    /// <summary>Where each run's fresh PostgreSQL lives; null: a new folder under the temp folder, deleted afterwards.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// AppHost arguments given after the benchmark's own, so they win: <c>--TaskPipeline:Database:Proxied=true</c>,
    /// <c>--producer:Producer:BatchSize=500</c>, … (<c>--set producer:Producer:BatchSize=500</c> becomes the latter).
    /// </summary>
    public IList<string> AppHostArguments { get; init; } = [];

    /// <summary>Most time one run may take before it is reported as stuck; null: worked out from its size.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Progress lines (stderr for the command).</summary>
    public TextWriter Progress { get; set; } = TextWriter.Null;

    /// <summary>Print the resources' console output (stderr).</summary>
    public bool Verbose { get; set; }

    /// <summary>Rows the reads workload seeds.</summary>
    public long Rows { get; set; } = DefaultReadRows;

    /// <summary>Timed calls of each read (after a warm-up).</summary>
    public int Repeat { get; set; } = DefaultReadRepeat;

    /// <summary>How long soak runs with retention.</summary>
    public TimeSpan SoakDuration { get; set; } = DefaultSoakDuration;

    /// <summary>How long the reference run without retention lasts; null: as long as the soak; zero: none.</summary>
    public TimeSpan? ReferenceDuration { get; set; }

    /// <summary>From when soak judges flatness; null: a third of the run, at most 3 minutes.</summary>
    public TimeSpan? SoakSettle { get; set; }

    /// <summary>Soak's rate when --rate was given; null: unlimited, as max.</summary>
    public double? SoakRate { get; set; }

    /// <summary>The Producer's Retention:Done during soak.</summary>
    public TimeSpan SoakRetention { get; set; } = DefaultSoakRetention;

    /// <summary>Max and steady (and soak) run with the completion NOTIFY trigger disabled.</summary>
    public bool NotifyTriggerOff { get; set; }

    /// <summary>The rates the curve workload runs steady at.</summary>
    public IReadOnlyList<double> Rates { get; set; } = CurveBenchmark.DefaultRates;

    public long SteadyTasks => Tasks ?? (long)Math.Round(Rate * Seconds);

    /// <summary>These options for one run of another workload (the curve's steady and idle runs).</summary>
    public BenchmarkOptions Copy(BenchmarkWorkload workload, bool telemetry, double rate)
    {
        var copy = (BenchmarkOptions)MemberwiseClone();
        copy.Workload = workload;
        copy.Telemetry = telemetry;
        copy.Rate = rate;
        return copy;
    }

    public long MaxTasks => Tasks ?? DefaultMaxTasks;
}
