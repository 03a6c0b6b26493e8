using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace TaskPipeline.ServiceDefaults.Configuration;

/// <summary>Turns option failures into one line per bad key: the key, the value given and what is allowed.</summary>
internal static partial class ConfigurationErrors
{
    public static IEnumerable<string> Describe(OptionsValidationException exception, IConfiguration configuration)
    {
        foreach (var failure in exception.Failures)
        {
            var match = DataAnnotationFailure().Match(failure);
            if (!match.Success)
            {
                yield return $"error: invalid configuration ({exception.OptionsType.Name}): {failure}";
                continue;
            }

            foreach (var member in match.Groups["members"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var key = ValidatedOptionsRegistry.KeyFor(exception.OptionsType, member);
                var value = configuration[key];
                var shown = value is null ? "(not set)"
                    : ValidatedOptionsRegistry.IsSecret(key) ? "(set, hidden)"
                    : $"'{value}'";
                yield return $"error: invalid configuration: {key} = {shown}: {match.Groups["error"].Value.TrimEnd('.')}.";
            }
        }
    }

    /// <summary>The configuration binder's own failure, e.g. a number that does not parse; its message names key and value.</summary>
    public static bool IsBindingFailure(InvalidOperationException exception) =>
        exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal);

    [GeneratedRegex("members: '(?<members>[^']*)' with the error: '(?<error>.*)'\\.?$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
