namespace TaskPipeline.Benchmarks;

/// <summary>A run that could not finish (tasks stuck or not done); <see cref="Tail"/> is what the resources printed last.</summary>
internal sealed class BenchmarkException : Exception
{
    public BenchmarkException()
    {
    }

    public BenchmarkException(string message)
        : base(message)
    {
    }

    public BenchmarkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BenchmarkException(string message, IReadOnlyList<string> tail)
        : base(message) => Tail = tail;

    public IReadOnlyList<string> Tail { get; } = [];
}
