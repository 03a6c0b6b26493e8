using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TaskPipeline.Tests.Distributed;

namespace TaskPipeline.Tests.Support;

/// <summary>
/// The API credentials of a test app beside the AppHost's development key: an issuer of JWTs (its own RSA key, whose
/// public half the Producer trusts) and a read-only API key.
/// </summary>
internal sealed class TestCredentials : IDisposable
{
    public const string ReaderKey = "reader-key-0123456789abcdefghijklmnopqrstuvwxyz";

    public const string Issuer = "https://issuer.taskpipeline.test";
    public const string Audience = "taskpipeline-api";

    private readonly RSA _key = RSA.Create(2048);

    /// <summary>The public key as base64 SubjectPublicKeyInfo (one line, for a command-line setting).</summary>
    public string PublicKey => Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());

    /// <summary>The Producer's settings that trust these credentials.</summary>
    public AppArguments Configure(AppArguments arguments) => arguments
        .Set("producer", "Auth:Jwt:Issuer", Issuer)
        .Set("producer", "Auth:Jwt:Audience", Audience)
        .Set("producer", "Auth:Jwt:SigningKeys:0", PublicKey)
        .Set("producer", "Auth:ApiKeys:reader:Hash", Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ReaderKey))))
        .Set("producer", "Auth:ApiKeys:reader:Scopes", "tasks:read");

    /// <summary>A token for <paramref name="subject"/> with <paramref name="scopes"/>, valid for a minute unless told.</summary>
    public string Create(string subject, string scopes, DateTime? expires = null, string audience = Audience, RSA? signingKey = null)
    {
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            NotBefore = expiry.AddMinutes(-30),
            IssuedAt = expiry.AddMinutes(-30),
            Expires = expiry,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = scopes },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signingKey ?? _key), SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Dispose() => _key.Dispose();
}
