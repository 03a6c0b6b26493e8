using YamlDotNet.Serialization;

namespace TaskPipeline.Deploy;

/// <summary>
/// YAML from ordered maps and lists (key order is what a reader of the file sees), strings quoted whenever a YAML 1.1 or
/// 1.2 reader could take them for a number, boolean or null.
/// </summary>
internal static class YamlOutput
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithEventEmitter(next => new YamlQuotingEmitter(next))
        .DisableAliases()
        .Build();

    public static string Serialize(object document) => Serializer.Serialize(document);

    /// <summary>A map whose keys keep the order they were added in.</summary>
    public static OrderedDictionary<string, object?> Map(params (string Key, object? Value)[] entries)
    {
        var map = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }

        return map;
    }
}
