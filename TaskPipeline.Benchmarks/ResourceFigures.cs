namespace TaskPipeline.Benchmarks;

/// <summary>
/// One figure per resource. Consumer CPU is the sum over its replicas, consumer memory the largest replica;
/// PostgreSQL's memory is its largest process (each one counts the shared buffers it touched, so a sum would not mean much).
/// </summary>
internal sealed record ResourceFigures(double? Producer, double? Consumer, double? Postgres)
{
    /// <summary>The three together (a resource that took no part counts 0). A method, so the JSON report does not carry it.</summary>
    public double Sum() => (Producer ?? 0) + (Consumer ?? 0) + (Postgres ?? 0);
}
