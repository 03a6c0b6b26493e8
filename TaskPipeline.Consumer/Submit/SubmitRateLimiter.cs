using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace TaskPipeline.Consumer.Submit;

/// <summary>
/// Consumer:RateLimit as a token bucket of tasks: refilled every short period so admissions are smooth, holding at
/// most one second's worth so an idle spell does not allow a burst larger than that. Refills run on the
/// <see cref="TimeProvider"/>, so tests can drive them.
/// </summary>
internal sealed class SubmitRateLimiter : IDisposable
{
    private static readonly TimeSpan TargetPeriod = TimeSpan.FromMilliseconds(100);

    private readonly TokenBucketRateLimiter? _bucket;
    private readonly ITimer? _refill;
    private readonly int _tokensPerPeriod;
    private readonly int _tokenLimit;
    private readonly TimeSpan _period;

    public SubmitRateLimiter(IOptions<ConsumerOptions> options, TimeProvider time)
    {
        var rate = options.Value.RateLimit;
        if (rate <= 0)
        {
            return;
        }

        // Whole tokens per period; at low rates the period stretches instead (2 tasks/s: 1 token every 500 ms).
        _tokensPerPeriod = Math.Max(1, (int)Math.Round(rate * TargetPeriod.TotalSeconds));
        _period = TimeSpan.FromSeconds(_tokensPerPeriod / rate);
        _tokenLimit = Math.Max(_tokensPerPeriod, (int)Math.Ceiling(rate));
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _tokenLimit,
            TokensPerPeriod = _tokensPerPeriod,
            ReplenishmentPeriod = _period,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        _refill = time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), _bucket, _period, _period);
    }

    public bool IsEnabled => _bucket is not null;

    /// <summary>
    /// How many of <paramref name="requested"/> tasks may go now (the first ones of the batch), and when the rest
    /// could: zero when everything was admitted.
    /// </summary>
    public (int Admitted, TimeSpan RetryAfter) Admit(int requested)
    {
        if (_bucket is null)
        {
            return (requested, TimeSpan.Zero);
        }

        var admitted = 0;
        // Another call may take the tokens between reading the count and acquiring them; then read again.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var available = (int)Math.Min(requested, _bucket.GetStatistics()?.CurrentAvailablePermits ?? 0);
            if (available <= 0)
            {
                break;
            }

            using var lease = _bucket.AttemptAcquire(available);
            if (lease.IsAcquired)
            {
                admitted = available;
                break;
            }
        }

        var rest = requested - admitted;
        return (admitted, rest == 0 ? TimeSpan.Zero : TimeUntil(rest));
    }

    /// <summary>Time for the bucket to hold <paramref name="tokens"/> again (as many as it can hold at most).</summary>
    private TimeSpan TimeUntil(int tokens)
    {
        var periods = (Math.Min(tokens, _tokenLimit) + _tokensPerPeriod - 1) / _tokensPerPeriod;
        return _period * periods;
    }

    public void Dispose()
    {
        _refill?.Dispose();
        _bucket?.Dispose();
    }
}
