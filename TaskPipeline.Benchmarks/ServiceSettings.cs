using System.Globalization;
using System.Text.Json;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The settings a service ran with, for the report: its own section and log levels from its project's appsettings.json
/// (what <c>dotnet run</c> starts it with), overlaid with what the AppHost passed it.
/// </summary>
internal static class ServiceSettings
{
    public static SortedDictionary<string, string> Read(string projectPath, string section, IReadOnlyDictionary<string, string>? overrides)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var file = Path.Combine(Path.GetDirectoryName(projectPath)!, "appsettings.json");
        if (File.Exists(file))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var name in (string[])[section, "Logging"])
            {
                if (document.RootElement.TryGetProperty(name, out var element))
                {
                    Flatten(name, element, settings);
                }
            }
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static void Flatten(string prefix, JsonElement element, IDictionary<string, string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten($"{prefix}:{property.Name}", property.Value, into);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten($"{prefix}:{index.ToString(CultureInfo.InvariantCulture)}", item, into);
                    index++;
                }

                break;
            default:
                into[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                break;
        }
    }
}
