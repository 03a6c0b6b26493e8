using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.ServiceDefaults.Logging;

/// <summary>Logging:Format: <c>console</c> (one human-readable line per entry) or <c>json</c> (one JSON object per line).</summary>
public sealed class LogFormatOptions
{
    public const string Console = "console";
    public const string Json = "json";

    [AllowedValues(Console, Json, ErrorMessage = "must be 'console' or 'json'")]
    public string Format { get; set; } = Console;
}
