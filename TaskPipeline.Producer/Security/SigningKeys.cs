using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace TaskPipeline.Producer.Security;

/// <summary>Public keys given in configuration (<c>Auth:Jwt:SigningKeys</c>): RSA or EC, PEM or base64 SubjectPublicKeyInfo.</summary>
internal static class SigningKeys
{
    public static bool TryParse(string text, out SecurityKey key)
    {
        key = null!;
        var pem = text.Contains("-----BEGIN", StringComparison.Ordinal) ? text : $"-----BEGIN PUBLIC KEY-----\n{text.Trim()}\n-----END PUBLIC KEY-----";
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            key = new RsaSecurityKey(rsa);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            // Not RSA: try EC below.
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            key = new ECDsaSecurityKey(ec);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    public static SecurityKey[] Parse(IEnumerable<string> texts) =>
        [.. texts.Select(text => TryParse(text, out var key) ? key : throw new InvalidOperationException("an invalid signing key passed validation"))];
}
