namespace TaskPipeline.Benchmarks;

/// <summary>Nearest-rank percentiles of client-side timings (a few hundred values: no interpolation needed).</summary>
internal static class Percentiles
{
    /// <param name="fraction">0.5 for the median, 0.99 for p99.</param>
    public static double Of(IReadOnlyCollection<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)], 2);
    }

    public static double Max(IReadOnlyCollection<double> values) => values.Count == 0 ? 0 : Math.Round(values.Max(), 2);
}
