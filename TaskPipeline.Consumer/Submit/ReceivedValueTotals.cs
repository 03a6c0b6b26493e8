using TaskPipeline.Data;

namespace TaskPipeline.Consumer.Submit;

/// <summary>Running totals of the values of the tasks this instance received, per type, since it started.</summary>
internal sealed class ReceivedValueTotals
{
    private readonly long[] _totals = new long[TaskLimits.TypeCount];

    /// <summary>Adds a received task's value; returns the new total of its type.</summary>
    public long Add(int type, int value) => Interlocked.Add(ref _totals[type], value);

    public long this[int type] => Volatile.Read(ref _totals[type]);
}
