using System.Collections.Concurrent;

namespace TaskPipeline.ServiceDefaults.Configuration;

/// <summary>
/// Remembers which configuration key each validated option member comes from, so a validation failure can name the
/// key and the value a user typed, and hides the values of secret keys.
/// </summary>
internal static class ValidatedOptionsRegistry
{
    private static readonly ConcurrentDictionary<Type, Func<string, string>> KeyOf = new();
    private static readonly ConcurrentDictionary<string, bool> SecretKeys = new(StringComparer.OrdinalIgnoreCase);

    public static void MapSection<T>(string section) =>
        KeyOf[typeof(T)] = member => section.Length == 0 ? member : $"{section}:{member}";

    public static void MapKeys<T>(IReadOnlyDictionary<string, string> keys) =>
        KeyOf[typeof(T)] = member => keys.TryGetValue(member, out var key) ? key : member;

    public static void MarkSecret(string key) => SecretKeys[key] = true;

    public static string KeyFor(Type optionsType, string member) =>
        KeyOf.TryGetValue(optionsType, out var map) ? map(member) : member;

    public static bool IsSecret(string key) => SecretKeys.ContainsKey(key);
}
