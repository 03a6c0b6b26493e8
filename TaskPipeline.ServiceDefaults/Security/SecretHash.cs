using System.Security.Cryptography;
using System.Text;

namespace TaskPipeline.ServiceDefaults.Security;

/// <summary>
/// Secrets are compared as SHA-256 hashes in constant time: the comparison takes as long whatever the presented value,
/// and a service that keeps only the hash (API keys) holds nothing a reader of its configuration could replay.
/// </summary>
public static class SecretHash
{
    public const int HexLength = SHA256.HashSizeInBytes * 2;

    public static byte[] Of(ReadOnlySpan<char> secret)
    {
        // Keys and secrets are short: their bytes stay on the stack and are wiped after hashing.
        var length = Encoding.UTF8.GetMaxByteCount(secret.Length);
        Span<byte> bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(secret, bytes);
        try
        {
            return SHA256.HashData(bytes[..written]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The lowercase hex of the SHA-256 of <paramref name="secret"/>, as API key hashes are configured.</summary>
    public static string HexOf(string secret) => Convert.ToHexStringLower(Of(secret));

    /// <summary>Whether <paramref name="presented"/> hashes to <paramref name="expectedHash"/>, in constant time.</summary>
    public static bool Matches(ReadOnlySpan<char> presented, ReadOnlySpan<byte> expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Of(presented), expectedHash);

    /// <summary>Parses a configured hash (64 hex digits); false for anything else.</summary>
    public static bool TryParseHex(string? hex, out byte[] hash)
    {
        hash = [];
        if (hex is not { Length: HexLength } || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }

        hash = Convert.FromHexString(hex);
        return true;
    }
}
