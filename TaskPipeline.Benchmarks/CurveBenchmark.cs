namespace TaskPipeline.Benchmarks;

/// <summary>
/// The cost curve: CPU per task against the rate, beside the naive reference measured in each run. For each telemetry
/// setting (off; and on, with --telemetry): the idle workload, then steady at each of --rates, each on a fresh app.
/// </summary>
internal sealed class CurveBenchmark(BenchmarkOptions options)
{
    public static readonly IReadOnlyList<double> DefaultRates = [10, 100, 1000];

    public async Task<CurveReport> RunAsync(CancellationToken cancellationToken)
    {
        var runs = new List<BenchmarkReport>();
        var idle = new List<IdleReport>();
        foreach (var telemetry in options.Telemetry ? (bool[])[false, true] : [false])
        {
            var idleOptions = options.Copy(BenchmarkWorkload.Idle, telemetry, rate: options.Rate);
            idle.Add(await new IdleBenchmark(new BenchmarkRunner(idleOptions), idleOptions).RunAsync(cancellationToken));
            foreach (var rate in options.Rates)
            {
                var steady = options.Copy(BenchmarkWorkload.Steady, telemetry, rate);
                runs.AddRange(await new BenchmarkRunner(steady).RunAsync(cancellationToken));
            }
        }

        return new CurveReport { Workload = "curve", Rates = options.Rates, Runs = runs, Idle = idle };
    }
}
