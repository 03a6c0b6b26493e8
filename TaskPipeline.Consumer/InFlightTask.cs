using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace TaskPipeline.Consumer;

/// <summary>
/// A claim this instance holds, from the claim until its outcome is in the database: what lease renewal renews and
/// a stop releases. Canceling it stops the work without reporting anything (lease lost, or the drain timed out).
/// </summary>
[SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The source is never linked and never given a timer or wait handle, so it holds nothing to dispose; "
        + "a worker may still observe its token after the claim leaves the registry, so no one owns a safe moment to dispose it.")]
internal sealed class InFlightTask(int claim, long claimedAt, ActivityContext trace = default)
{
    private readonly CancellationTokenSource _cancellation = new();
    private volatile bool _reported;
    private long _leaseFrom = claimedAt;

    /// <summary>The claim's number (<see cref="Data.Tasks.ClaimedTask.Claim"/>): what every statement on it names.</summary>
    public int Claim { get; } = claim;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the claim committed.</summary>
    public long ClaimedAt { get; } = claimedAt;

    /// <summary>The span of the Submit call that claimed the task: the work continues its trace.</summary>
    public ActivityContext Trace { get; } = trace;

    /// <summary>When the lease was taken or last renewed (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LeaseFrom
    {
        get => Interlocked.Read(ref _leaseFrom);
        set => Interlocked.Exchange(ref _leaseFrom, value);
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The worker handed its outcome to the completion writer, which ends this claim one way or the other.</summary>
    public bool IsReported => _reported;

    public void MarkReported() => _reported = true;

    public void Cancel() => _cancellation.Cancel();
}
