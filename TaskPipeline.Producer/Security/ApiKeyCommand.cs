using System.Security.Cryptography;
using TaskPipeline.ServiceDefaults.Security;

namespace TaskPipeline.Producer.Security;

/// <summary><c>--new-api-key</c>: a new random API key and the hash to configure, without starting anything.</summary>
internal static class ApiKeyCommand
{
    public static bool TryPrint(string[] args)
    {
        if (!args.Contains("--new-api-key", StringComparer.Ordinal))
        {
            return false;
        }

        // 32 random bytes, base64url: 43 characters, no padding, safe in a header and a shell.
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Console.WriteLine($"key:  {key}");
        Console.WriteLine($"hash: {SecretHash.HexOf(key)}");
        Console.WriteLine();
        Console.WriteLine("Give the Producer the hash, never the key:");
        Console.WriteLine($"  Auth__ApiKeys__<name>__Hash={SecretHash.HexOf(key)}");
        Console.WriteLine($"  Auth__ApiKeys__<name>__Scopes=\"{ApiScopes.Read} {ApiScopes.Write}\"   (or {ApiScopes.Read} only)");
        Console.WriteLine($"and send the key with each request: {ApiKeyHandler.HeaderName}: <key>");
        return true;
    }
}
