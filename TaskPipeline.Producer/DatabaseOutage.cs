using Microsoft.Extensions.Logging;
using TaskPipeline.ServiceDefaults;

namespace TaskPipeline.Producer;

/// <summary>
/// Retry pacing and logging for one loop's database work (what may be retried: <see cref="Data.DatabaseFailure"/>): a failure logs once per outage (not once per attempt) and
/// says how long to back off; the first success after it logs the recovery.
/// </summary>
internal sealed class DatabaseOutage(string operation, RetryBackoff backoff, TimeProvider time, ILogger logger)
{
    private int _failures;
    private long _since;

    public TimeSpan OnFailure(Exception exception)
    {
        var delay = backoff.Next(_failures);
        if (_failures++ == 0)
        {
            _since = time.GetTimestamp();
            ProducerLog.DatabaseUnavailable(logger, operation, delay.TotalMilliseconds, exception.Message, exception);
        }

        return delay;
    }

    public void OnSuccess()
    {
        if (_failures > 0)
        {
            var seconds = time.GetElapsedTime(_since).TotalSeconds;
            ProducerLog.DatabaseRecovered(logger, _failures, seconds);
            _failures = 0;
        }
    }
}
