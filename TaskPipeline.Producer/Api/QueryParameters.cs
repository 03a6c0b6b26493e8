using System.Globalization;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// Parses query and route values by hand, so a bad one is answered with a ProblemDetails naming it (minimal APIs
/// would answer a value that does not bind with a bare 400).
/// </summary>
internal static class QueryParameters
{
    public static bool TryParseId(string? text, out Guid id) => Guid.TryParse(text, out id);

    /// <summary>An optional integer in [min, max]; absent or empty is null. Adds an error naming the parameter otherwise.</summary>
    public static int? Integer(string? text, string name, int min, int max, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors[name] = [$"must be an integer from {min} to {max} (was '{text}')"];
        return null;
    }
}
