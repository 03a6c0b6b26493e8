using Microsoft.Extensions.Options;
using TaskPipeline.ServiceDefaults.Security;

namespace TaskPipeline.Producer.Security;

/// <summary>The configured API keys, parsed once: name, SHA-256, scopes.</summary>
internal sealed class ApiKeyRing(IOptions<ApiAuthOptions> options)
{
    private readonly Lazy<(string Name, byte[] Hash, string Scopes)[]> _keys = new(() =>
        [.. options.Value.ApiKeys.Select(pair => (pair.Key, SecretHash.TryParseHex(pair.Value.Hash, out var hash) ? hash : [], pair.Value.Scopes))]);

    /// <summary>The key whose hash <paramref name="presented"/> has; every configured key is compared, in constant time each.</summary>
    public (string Name, string Scopes)? Find(ReadOnlySpan<char> presented)
    {
        var hash = SecretHash.Of(presented);
        (string, string)? found = null;
        foreach (var key in _keys.Value)
        {
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                found = (key.Name, key.Scopes);
            }
        }

        return found;
    }
}
