using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.Tests.Support;

/// <summary>Validates an options object the way ValidateDataAnnotations does (attributes, then IValidatableObject).</summary>
internal static class Annotations
{
    public static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    public static string[] InvalidMembers(object options) =>
        [.. Validate(options).SelectMany(result => result.MemberNames).Order(StringComparer.Ordinal)];
}
