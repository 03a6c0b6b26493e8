namespace TaskPipeline.Benchmarks;

/// <summary>What a run used, so two reports can be compared (or not).</summary>
internal sealed record BenchmarkSettingsReport
{
    public required int Consumers { get; init; }

    public required int Producers { get; init; }

    /// <summary>Tasks per second the Producer was asked for; 0 is unlimited.</summary>
    public required double Rate { get; init; }

    /// <summary>Consumer:DelayPerValue in milliseconds: a task's simulated work is value (0–99) × this.</summary>
    public required double DelayPerValueMs { get; init; }

    /// <summary>Tasks made first and left out of every figure (steady: its warm-up); 0 for max.</summary>
    public long WarmupTasks { get; init; }

    /// <summary>PostgreSQL's synchronous_commit during the run, as the server reported it.</summary>
    public required string SynchronousCommit { get; init; }

    /// <summary>Producer:BatchSize, the most tasks per COPY and per Submit call.</summary>
    public required int ProducerBatchSize { get; init; }

    /// <summary>Consumer:MaxBatchSize, the largest Submit a Consumer accepts.</summary>
    public required int ConsumerMaxBatchSize { get; init; }

    /// <summary>The completion NOTIFY trigger (tasks_task_events_notify) during the run: on, or off (--notify-trigger off).</summary>
    public string NotifyTrigger { get; init; } = Benchmarks.NotifyTrigger.On;

    /// <summary>Whether the dashboard ran and the services exported their telemetry to it (--telemetry).</summary>
    public bool Telemetry { get; init; }

    /// <summary>The ceiling's lifecycle: rows per statement and parallel connections; null when not measured.</summary>
    public required CeilingSettings? Ceiling { get; init; }

    /// <summary>Every Producer setting (its appsettings.json, then the benchmark's and --set overrides).</summary>
    public required IReadOnlyDictionary<string, string> Producer { get; init; }

    /// <summary>Every Consumer setting, including the log level raised for the per-task line.</summary>
    public required IReadOnlyDictionary<string, string> Consumer { get; init; }

    /// <summary>The services' ASPNETCORE_ENVIRONMENT.</summary>
    public required string Environment { get; init; }

    /// <summary>Build configuration; only Release numbers mean anything.</summary>
    public required string Build { get; init; }

    public required string Commit { get; init; }

    /// <summary>When the run started (UTC, ISO 8601).</summary>
    public required string Date { get; init; }

    public required MachineSettings Machine { get; init; }

    /// <summary>Anything that makes the numbers less trustworthy (a Debug build, a replica restarted mid-run).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}
