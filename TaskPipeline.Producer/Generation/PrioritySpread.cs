using System.Globalization;
using TaskPipeline.Data;

namespace TaskPipeline.Producer.Generation;

/// <summary>
/// How generated tasks spread over priorities (Producer:PriorityWeights): <c>priority=weight</c> pairs, e.g.
/// <c>9=1,5=8,0=1</c> makes a tenth of the tasks priority 9, eight tenths 5 and a tenth 0. Empty: every task gets the
/// default priority.
/// </summary>
internal sealed class PrioritySpread
{
    public const int MaxWeight = 1_000_000;

    public static readonly PrioritySpread Default = new([(TaskLimits.DefaultPriority, 1)]);

    // Cumulative weights and their priorities, in the order given.
    private readonly long[] _bounds;
    private readonly byte[] _priorities;

    private PrioritySpread(IReadOnlyList<(int Priority, int Weight)> weights)
    {
        _bounds = new long[weights.Count];
        _priorities = new byte[weights.Count];
        long total = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            total += weights[i].Weight;
            _bounds[i] = total;
            _priorities[i] = (byte)weights[i].Priority;
        }
    }

    public static bool TryParse(string? text, out PrioritySpread spread, out string error)
    {
        spread = Default;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var weights = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', StringSplitOptions.TrimEntries);
            if (pair.Length != 2
                || !int.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
                || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
            {
                error = $"must be priority=weight pairs separated by commas, e.g. 9=1,5=8,0=1 (was '{text}': '{part}' is not one)";
                return false;
            }

            if (priority is < TaskLimits.MinPriority or > TaskLimits.MaxPriority || weight is < 1 or > MaxWeight)
            {
                error = $"must give priorities from {TaskLimits.MinPriority} to {TaskLimits.MaxPriority} and weights from 1 to {MaxWeight} (was '{part}')";
                return false;
            }

            if (weights.Exists(existing => existing.Item1 == priority))
            {
                error = $"must give each priority once (was '{text}': {priority} twice)";
                return false;
            }

            weights.Add((priority, weight));
        }

        spread = new PrioritySpread(weights);
        return true;
    }

    /// <summary>A priority drawn with the weights' odds.</summary>
    public byte Next(Random random)
    {
        if (_priorities.Length == 1)
        {
            return _priorities[0];
        }

        var draw = random.NextInt64(_bounds[^1]);
        for (var i = 0; i < _bounds.Length; i++)
        {
            if (draw < _bounds[i])
            {
                return _priorities[i];
            }
        }

        return _priorities[^1];
    }
}
