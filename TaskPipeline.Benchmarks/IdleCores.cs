namespace TaskPipeline.Benchmarks;

/// <summary>
/// Each process's share of one core while the app has nothing to do, in percent; a service's replicas summed. DCP, the
/// dashboard and the AppHost (the process that hosts it: the benchmark) are reported, not counted as the pipeline's.
/// </summary>
internal sealed record IdleCores(double Producer, double Consumer, double Postgres, double Dcp, double? Dashboard, double Apphost)
{
    /// <summary>What the pipeline itself costs idle: Producer + Consumers + PostgreSQL. A method, so the JSON does not carry it twice.</summary>
    public double Pipeline() => Math.Round(Producer + Consumer + Postgres, 3);
}
