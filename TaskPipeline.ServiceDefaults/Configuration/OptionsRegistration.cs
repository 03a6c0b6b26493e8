using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TaskPipeline.ServiceDefaults.Configuration;

public static class OptionsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> to a configuration section, validated by its data annotations at start.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        ValidatedOptionsRegistry.MapSection<T>(section);
        return services.AddOptions<T>()
            .BindConfiguration(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    /// <summary>Fills <typeparamref name="T"/> from scattered keys, validated by its data annotations at start.</summary>
    internal static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section, Action<T, IConfiguration> configure)
        where T : class
    {
        ValidatedOptionsRegistry.MapSection<T>(section);
        return services.AddOptions<T>()
            .Configure(configure)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
