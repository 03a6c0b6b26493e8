using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.Consumer;

/// <summary>The <c>Consumer</c> configuration section, validated before the service starts.</summary>
internal sealed class ConsumerOptions : IValidatableObject
{
    public const string SectionName = "Consumer";

    /// <summary>Simulated work per unit of a task's value: a task sleeps value × DelayPerValue.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "must be a duration from 00:00:00 to 00:00:01")]
    public TimeSpan DelayPerValue { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Work items processed at the same time. The work only waits (value × DelayPerValue), and a waiting item holds no
    /// thread, only a timer: at 10,000 tasks/s and the default 0–99 ms, about 500 are in flight across the replicas.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "must be from 1 to 10000")]
    public int MaxConcurrency { get; set; } = 1000;

    /// <summary>Tasks admitted per second; 0 means unlimited.</summary>
    [Range(0d, 1_000_000d, ErrorMessage = "must be from 0 (unlimited) to 1000000 tasks per second")]
    public double RateLimit { get; set; }

    /// <summary>Attempts before a failing task is dead-lettered (state <c>failed</c>).</summary>
    [Range(1, 100, ErrorMessage = "must be from 1 to 100")]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a claim stays valid without renewal; a dead consumer's tasks come back after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "must be a duration from 00:00:01 to 01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a graceful stop waits for queued and running work before releasing it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "must be a duration from 00:00:00 to 00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most tasks one Submit call may carry.</summary>
    [Range(1, 10_000, ErrorMessage = "must be from 1 to 10000")]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Most claimed tasks held at once (queued plus running).</summary>
    [Range(1, 1_000_000, ErrorMessage = "must be from 1 to 1000000")]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Probability that a work item fails (simulated), for exercising retries and the dead letter.</summary>
    [Range(0d, 1d, ErrorMessage = "must be a probability from 0 to 1")]
    public double FailureRate { get; set; }

    /// <summary>Base of the exponential backoff before a failed task may be dispatched again (capped at 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "must be a duration from 00:00:00 to 00:01:00")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest a finished task waits so its completion can share a statement with others.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "must be a duration from 00:00:00 to 00:00:01")]
    public TimeSpan CompletionBatchDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The secret a caller of Submit sends as <c>authorization: Bearer …</c> (the Producer's <c>Producer:ConsumerSecret</c>;
    /// the AppHost generates one). Unset: only loopback callers in Development, or anyone with
    /// <see cref="AllowUnauthenticatedSubmit"/>.
    /// </summary>
    [MinLength(16, ErrorMessage = "must be at least 16 characters")]
    public string? SubmitSecret { get; set; }

    /// <summary>Accept Submit from any caller without a secret: an explicit opt-out, for a network that is itself trusted.</summary>
    public bool AllowUnauthenticatedSubmit { get; set; }

    /// <summary>Set from the host environment, not bound: outside Development a Submit secret is required.</summary>
    internal bool IsDevelopment { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(SubmitSecret) && !IsDevelopment && !AllowUnauthenticatedSubmit)
        {
            yield return new ValidationResult(
                "is required outside Development: the secret callers of Submit send (the Producer's Producer:ConsumerSecret); "
                + "or set Consumer:AllowUnauthenticatedSubmit=true to accept any caller",
                [nameof(SubmitSecret)]);
        }

        // A full batch must fit, or the largest allowed Submit could never be admitted.
        if (QueueCapacity < MaxBatchSize)
        {
            yield return new ValidationResult(
                $"must be at least Consumer:MaxBatchSize ({MaxBatchSize})", [nameof(QueueCapacity)]);
        }
    }
}
