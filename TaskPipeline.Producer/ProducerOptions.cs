using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.Producer;

/// <summary>The <c>Producer</c> section: how fast tasks are made, how many may wait, and how they are sent.</summary>
internal sealed class ProducerOptions : IValidatableObject
{
    public const string SectionName = "Producer";

    /// <summary>The most connections to the Consumer: each is one HTTP/2 connection with its own handler.</summary>
    public const int MaxConsumerConnections = 64;

    public const int MaxDispatchConcurrency = 64;

    /// <summary>Tasks per second; 0 means as fast as the database and the backlog allow.</summary>
    [Range(0d, 1_000_000d, ErrorMessage = "must be from 0 (unlimited) to 1000000 tasks per second")]
    public double Rate { get; set; } = 10;

    /// <summary>Generation pauses while this many tasks are received or processing, across the database.</summary>
    [Range(1, 10_000_000, ErrorMessage = "must be from 1 to 10000000 tasks")]
    public int MaxBacklog { get; set; } = 1000;

    /// <summary>Generation stops after this many tasks; absent means no limit.</summary>
    [Range(typeof(long), "1", "9223372036854775807", ErrorMessage = "must be at least 1 (leave it out for no limit)")]
    public long? MaxTasks { get; set; }

    /// <summary>The most tasks per insert and per Submit call.</summary>
    [Range(1, 1000, ErrorMessage = "must be from 1 to 1000 tasks")]
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long a partial batch waits for more tasks before it is stored and sent.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "must be from 00:00:00 to 00:00:01")]
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Submit calls in flight at once.</summary>
    [Range(1, MaxDispatchConcurrency, ErrorMessage = "must be from 1 to 64")]
    public int DispatchConcurrency { get; set; } = 4;

    /// <summary>
    /// HTTP/2 connections to the Consumer, used in turn call by call. A proxy in front of the replicas (DCP's, a
    /// Kubernetes Service) gives each new connection to a replica picked at random: with more connections than replicas,
    /// every replica gets some (with 16 over 3 replicas, one is left out about once in 200 starts; each connection is
    /// re-opened every <see cref="ConsumerConnectionLifetime"/>, so that does not last).
    /// </summary>
    [Range(1, MaxConsumerConnections, ErrorMessage = "must be from 1 to 64")]
    public int ConsumerConnections { get; set; } = 16;

    /// <summary>
    /// How long each of those connections lives before it is re-opened (calls in flight finish on the old one): the
    /// longest a replica that started or came back (a restart, a scale-out) waits for its share of the work.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "must be from 00:00:01 to 01:00:00")]
    public TimeSpan ConsumerConnectionLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The deadline of each Submit call.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "must be from 00:00:00.100 to 00:10:00")]
    public TimeSpan DispatchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts of one batch that fail with INTERNAL, UNKNOWN or DEADLINE_EXCEEDED before it is given back to the
    /// outbox (the sweep sends it again after RedispatchAfter) instead of being retried for good.
    /// </summary>
    [Range(1, 100, ErrorMessage = "must be from 1 to 100 attempts")]
    public int DispatchMaxAttempts { get; set; } = 5;

    /// <summary>A task still received this long after it was stored (or last swept), and not in flight here, is sent again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "must be from 00:00:01 to 01:00:00")]
    public TimeSpan RedispatchAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the outbox is swept for tasks to send again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "must be from 00:00:00.010 to 00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the outbox is swept at most while nothing happens (sweeps find nothing and nothing is dispatched): the
    /// wait doubles from <see cref="SweepInterval"/> up to this, and the first sign of work brings it back.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "must be from 00:00:00.010 to 00:10:00")]
    public TimeSpan SweepIdleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first delay before a failed call or statement is retried; it doubles up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "must be from 00:00:00.001 to 00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ErrorMessage = "must be from 00:00:00.001 to 00:10:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Consumer's gRPC address; <c>http://consumer</c> is resolved by service discovery.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "is required (the Consumer's gRPC address, e.g. http://consumer)")]
    public string ConsumerAddress { get; set; } = "http://consumer";

    /// <summary>
    /// The secret sent with every Submit as <c>authorization: Bearer …</c>: the Consumers' <c>Consumer:SubmitSecret</c>
    /// (the AppHost generates one for both).
    /// </summary>
    [MinLength(16, ErrorMessage = "must be at least 16 characters")]
    public string? ConsumerSecret { get; set; }

    /// <summary>
    /// How generated tasks spread over priorities: priority=weight pairs, e.g. "9=1,5=8,0=1". Empty: all get priority 5.
    /// </summary>
    public string? PriorityWeights { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return new ValidationResult("must not be shorter than Producer:RetryBaseDelay", [nameof(RetryMaxDelay)]);
        }

        if (!Generation.PrioritySpread.TryParse(PriorityWeights, out _, out var spreadError))
        {
            yield return new ValidationResult(spreadError, [nameof(PriorityWeights)]);
        }

        if (!Uri.TryCreate(ConsumerAddress, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult("must be an absolute http:// or https:// URL", [nameof(ConsumerAddress)]);
        }
    }
}
