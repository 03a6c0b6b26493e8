using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TaskPipeline.ServiceDefaults.Configuration;

public static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to a configuration section, validated by its data annotations at start; a failure
    /// hides the values of <paramref name="secretMembers"/>.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section, params string[] secretMembers)
        where T : class
    {
        ValidatedOptionsRegistry.MapSection<T>(section);
        foreach (var member in secretMembers)
        {
            ValidatedOptionsRegistry.MarkSecret(ValidatedOptionsRegistry.KeyFor(typeof(T), member));
        }

        return services.AddOptions<T>()
            .BindConfiguration(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    /// <summary>
    /// Fills <typeparamref name="T"/> from scattered keys, validated by its data annotations at start. A failure names
    /// the key each member comes from (<paramref name="keys"/>) and hides the values of <paramref name="secretKeys"/>.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(
        this IServiceCollection services,
        IReadOnlyDictionary<string, string> keys,
        Action<T, IConfiguration> configure,
        params string[] secretKeys)
        where T : class
    {
        ValidatedOptionsRegistry.MapKeys<T>(keys);
        foreach (var key in secretKeys)
        {
            ValidatedOptionsRegistry.MarkSecret(key);
        }

        return services.AddOptions<T>()
            .Configure(configure)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
