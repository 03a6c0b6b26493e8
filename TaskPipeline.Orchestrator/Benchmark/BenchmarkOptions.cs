using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Benchmark;

/// <summary>What to run, as the bench command was asked.</summary>
internal sealed class BenchmarkOptions
{
    public const long DefaultMaxTasks = 200_000;
    public const double DefaultSteadyRate = 1000;
    public const double DefaultSteadySeconds = 60;
    public const double DefaultWarmupSeconds = 5;
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

    /// <summary>Where each run's fresh PostgreSQL lives; null: a new folder under the temp folder, deleted afterwards.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Extra service settings (<c>--set</c>), per resource, applied after the benchmark's own.</summary>
    public IDictionary<string, IDictionary<string, string?>> Settings { get; init; } =
        new Dictionary<string, IDictionary<string, string?>>(StringComparer.Ordinal);

    /// <summary>Most time one run may take before it is reported as stuck; null: worked out from its size.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Progress lines (stderr for the command).</summary>
    public TextWriter Progress { get; set; } = TextWriter.Null;

    /// <summary>The services' output, prefixed (for diagnosing); null keeps it in memory only.</summary>
    public TextWriter? ServiceOutput { get; set; }

    /// <summary>The built services to run.</summary>
    public IReadOnlyDictionary<string, ServiceProject> Projects { get; set; } = ServiceProjects.All;

    public long SteadyTasks => Tasks ?? (long)Math.Round(Rate * Seconds);

    public long MaxTasks => Tasks ?? DefaultMaxTasks;
}
