using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>YAML read as plain maps, lists and strings, the way a deployment tool sees it.</summary>
internal static class YamlTree
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static Dictionary<object, object?> Read(string yaml) =>
        Deserializer.Deserialize<Dictionary<object, object?>>(yaml) ?? throw new InvalidOperationException("empty YAML document");

    /// <summary>Every document of a multi-document stream (<c>---</c>).</summary>
    public static List<Dictionary<object, object?>> ReadAll(string yaml)
    {
        var documents = new List<Dictionary<object, object?>>();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Deserializer.Deserialize<Dictionary<object, object?>>(parser) is { } document)
            {
                documents.Add(document);
            }
        }

        return documents;
    }

    public static Dictionary<object, object?> Map(this object? node, string key) =>
        (node as Dictionary<object, object?>)?.GetValueOrDefault(key) as Dictionary<object, object?>
        ?? throw new KeyNotFoundException($"no map '{key}'");

    public static List<object?> List(this object? node, string key) =>
        (node as Dictionary<object, object?>)?.GetValueOrDefault(key) as List<object?>
        ?? throw new KeyNotFoundException($"no list '{key}'");

    public static string? Text(this object? node, string key) => (node as Dictionary<object, object?>)?.GetValueOrDefault(key) as string;

    public static bool Has(this object? node, string key) => (node as Dictionary<object, object?>)?.ContainsKey(key) == true;
}
