using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace TaskPipeline.AppHost;

internal static class PipelineSettingsExtensions
{
    /// <summary>
    /// Binds and validates the <c>TaskPipeline</c> section (appsettings.json, environment, <c>--TaskPipeline:Key=value</c>).
    /// The settings decide the shape of the application, so they are read once, before it is built.
    /// </summary>
    public static PipelineSettings GetPipelineSettings(this IDistributedApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(PipelineSettings.SectionName);
        PipelineSettings settings;
        try
        {
            settings = section.Get<PipelineSettings>() ?? new PipelineSettings();
        }
        catch (InvalidOperationException exception)
        {
            throw new AppHostConfigurationException($"invalid configuration in {PipelineSettings.SectionName}: {exception.Message}");
        }

        // Prometheus keeps its folder beside the database's: an app given a state folder of its own (a second app on
        // the machine) then shares nothing with another by default.
        if (string.IsNullOrWhiteSpace(settings.Prometheus.StateDirectory) && !string.IsNullOrWhiteSpace(settings.Database.StateDirectory))
        {
            var databaseFolder = Path.GetFullPath(settings.Database.StateDirectory);
            settings.Prometheus.StateDirectory = Path.Combine(Path.GetDirectoryName(databaseFolder) ?? databaseFolder, "prometheus");
        }

        Validate(settings, PipelineSettings.SectionName);
        Validate(settings.Database, $"{PipelineSettings.SectionName}:Database");
        Validate(settings.Prometheus, $"{PipelineSettings.SectionName}:Prometheus");
        Validate(settings.Restart, $"{PipelineSettings.SectionName}:Restart");
        return settings;
    }

    private static void Validate(object settings, string prefix)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true))
        {
            var first = results[0];
            var member = first.MemberNames.FirstOrDefault() ?? string.Empty;
            throw new AppHostConfigurationException($"invalid configuration: {prefix}:{member}: {first.ErrorMessage}");
        }
    }
}
