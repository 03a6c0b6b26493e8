using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// A create's <c>runAt</c> or <c>delay</c>: parsed strictly (RFC 3339 with an offset; seconds or an ISO 8601 duration
/// of fixed-length parts), due in the future and at most <see cref="TaskLimits.MaxDelay"/> ahead, and never both.
/// </summary>
internal static partial class DueTimeRequest
{
    public const string RunAtField = "runAt";
    public const string DelayField = "delay";

    public const string RunAtShape = "an RFC 3339 date-time with an offset, e.g. 2026-12-05T10:00:00Z";
    public const string DelayShape = "seconds (a number, e.g. 90) or an ISO 8601 duration (e.g. \"PT1M30S\", \"P1D\")";

    /// <summary>
    /// The due time the fields ask for (<see cref="DueTime.Now"/> when neither is given); null with the reason in
    /// <paramref name="errors"/> when they are not valid.
    /// </summary>
    public static DueTime? Resolve(string? runAt, JsonElement? delay, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        var hasDelay = delay is { ValueKind: not JsonValueKind.Null };
        if (runAt is not null && hasDelay)
        {
            errors[DelayField] = ["cannot be given with runAt: give one of them"];
            return null;
        }

        if (runAt is not null)
        {
            if (!TryParseRunAt(runAt, out var at))
            {
                errors[RunAtField] = [$"must be {RunAtShape} (was '{runAt}')"];
                return null;
            }

            if (at <= now)
            {
                errors[RunAtField] = [$"must be in the future (was {at:O}; the server's time is {now:O}): leave it out to run the task now"];
                return null;
            }

            if (at - now > TaskLimits.MaxDelay)
            {
                errors[RunAtField] = [$"must be at most {TaskLimits.MaxDelay.TotalDays:0} days ahead (was {at:O})"];
                return null;
            }

            return new DueTime(at, null);
        }

        if (hasDelay)
        {
            if (!TryParseDelay(delay!.Value, out var length, out var problem))
            {
                errors[DelayField] = [problem];
                return null;
            }

            if (length <= TimeSpan.Zero || length > TaskLimits.MaxDelay)
            {
                errors[DelayField] = [$"must be more than 0 and at most {TaskLimits.MaxDelay.TotalDays:0} days (was {length})"];
                return null;
            }

            return new DueTime(null, length);
        }

        return DueTime.Now;
    }

    /// <summary>RFC 3339's date-time (section 5.6): an offset is required, so the instant is never a guess.</summary>
    public static bool TryParseRunAt(string text, out DateTimeOffset at)
    {
        at = default;
        return Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text.Replace('t', 'T').Replace(' ', 'T').Replace('z', 'Z'), CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    /// <summary>Seconds as a JSON number, or an ISO 8601 duration in weeks, days, hours, minutes and seconds.</summary>
    public static bool TryParseDelay(JsonElement delay, out TimeSpan length, out string problem)
    {
        length = default;
        problem = $"must be {DelayShape}";
        switch (delay.ValueKind)
        {
            case JsonValueKind.Number when delay.TryGetDecimal(out var seconds):
                if (seconds <= 0 || seconds > (decimal)TaskLimits.MaxDelay.TotalSeconds)
                {
                    problem = $"must be more than 0 and at most {TaskLimits.MaxDelay.TotalDays:0} days (was {seconds.ToString(CultureInfo.InvariantCulture)} seconds)";
                    return false;
                }

                length = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
                return true;
            case JsonValueKind.String:
                return TryParseDuration(delay.GetString()!, out length, out problem);
            default:
                return false;
        }
    }

    private static bool TryParseDuration(string text, out TimeSpan length, out string problem)
    {
        length = default;
        var match = Duration().Match(text);
        if (!match.Success || text is "P" or "PT" || text.EndsWith('T'))
        {
            problem = YearsOrMonths().IsMatch(text)
                ? $"must not count years or months, whose length varies: use days, e.g. \"P30D\" (was '{text}')"
                : $"must be {DelayShape} (was '{text}')";
            return false;
        }

        // Parts are at most 9 digits each, so this cannot overflow; the total is checked against the limit by the caller.
        decimal seconds = Part(match, "w") * 604_800m + Part(match, "d") * 86_400m + Part(match, "h") * 3_600m + Part(match, "m") * 60m + Part(match, "s");
        if (seconds > (decimal)TaskLimits.MaxDelay.TotalSeconds)
        {
            problem = $"must be at most {TaskLimits.MaxDelay.TotalDays:0} days (was '{text}')";
            return false;
        }

        length = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        problem = string.Empty;
        return true;
    }

    private static decimal Part(Match match, string name) =>
        match.Groups[name].Success ? decimal.Parse(match.Groups[name].Value.Replace(',', '.'), CultureInfo.InvariantCulture) : 0m;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"^P(?:(?<w>\d{1,9})W)?(?:(?<d>\d{1,9})D)?(?:T(?:(?<h>\d{1,9})H)?(?:(?<m>\d{1,9})M)?(?:(?<s>\d{1,9}(?:[.,]\d{1,9})?)S)?)?$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^P(\d+Y|(\d+Y)?\d+M)")]
    private static partial Regex YearsOrMonths();
}
