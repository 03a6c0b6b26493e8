namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// A resource could not be started. <see cref="Summary"/> is the one line a user needs; the message adds the
/// resource's last output lines, which matter in tests where output is not printed.
/// </summary>
internal sealed class PipelineStartException : Exception
{
    public PipelineStartException(string summary, IReadOnlyList<string>? lastOutput = null, Exception? innerException = null)
        : base(Format(summary, lastOutput ?? []), innerException)
    {
        Summary = summary;
        LastOutput = lastOutput ?? [];
    }

    public PipelineStartException()
        : this("the pipeline could not be started")
    {
    }

    public PipelineStartException(string message)
        : this(message, null, null)
    {
    }

    public PipelineStartException(string message, Exception innerException)
        : this(message, null, innerException)
    {
    }

    public string Summary { get; }

    public IReadOnlyList<string> LastOutput { get; }

    private static string Format(string summary, IReadOnlyList<string> lastOutput) => lastOutput.Count == 0
        ? summary
        : $"{summary}{Environment.NewLine}Last output:{Environment.NewLine}  {string.Join($"{Environment.NewLine}  ", lastOutput)}";
}
