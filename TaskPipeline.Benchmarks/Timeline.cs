namespace TaskPipeline.Benchmarks;

/// <summary>
/// Tasks done per second over the run, as the database stored them: bucket i counts the tasks whose <c>done_at</c>
/// falls in [i, i + 1) × <see cref="BucketSeconds"/> after the first measured task's <c>created_at</c>.
/// </summary>
internal sealed record Timeline(double BucketSeconds, double[] TasksPerSecond);
