using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace TaskPipeline.Consumer;

/// <summary>
/// Who this process is in the database: the <c>lease_owner</c> of every task it claims, kept on the tasks it finishes.
/// Replicas must differ, so the AppHost's per-replica <c>service.instance.id</c> is used when present, a random id
/// otherwise; a per-process suffix tells a restarted replica from its previous life, so what one process did can be
/// audited against that process's own counters.
/// </summary>
internal sealed class ConsumerInstance
{
    private const string ResourceAttributesKey = "OTEL_RESOURCE_ATTRIBUTES";
    private const string InstanceIdAttribute = "service.instance.id";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public ConsumerInstance(IConfiguration configuration)
        : this(Environment.MachineName, FromResourceAttributes(configuration[ResourceAttributesKey]) ?? RandomId(), RandomNumberGenerator.GetString(Alphabet, 4))
    {
    }

    internal ConsumerInstance(string machineName, string instanceId, string run) => Id = $"{machineName}/{instanceId}/{run}";

    /// <summary>"host/abcd1234/x7k2".</summary>
    public string Id { get; }

    /// <summary>The <c>service.instance.id</c> of an OTEL_RESOURCE_ATTRIBUTES value ("k1=v1,k2=v2", values percent-encoded).</summary>
    internal static string? FromResourceAttributes(string? attributes)
    {
        if (string.IsNullOrWhiteSpace(attributes))
        {
            return null;
        }

        foreach (var pair in attributes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair[..equals].Trim() == InstanceIdAttribute)
            {
                var value = Uri.UnescapeDataString(pair[(equals + 1)..].Trim());
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }

    internal static string RandomId() => RandomNumberGenerator.GetString(Alphabet, 8);
}
