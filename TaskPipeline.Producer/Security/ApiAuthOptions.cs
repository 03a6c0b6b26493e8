using System.ComponentModel.DataAnnotations;
using TaskPipeline.ServiceDefaults.Security;

namespace TaskPipeline.Producer.Security;

/// <summary>
/// The <c>Auth</c> section: who may call the Task API. JWT bearer tokens, API keys, both, or neither: then only
/// loopback callers in Development, or anyone with an explicit <see cref="AllowAnonymous"/>. Outside Development,
/// the Producer does not start with neither.
/// </summary>
internal sealed class ApiAuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    public JwtOptions Jwt { get; set; } = new();

    /// <summary>API keys by name (the name is the principal a request runs as: logs, rate limits).</summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Run with no authentication at all: every caller may read and write. An explicit, deliberate opt-out.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Set from the host environment, not bound.</summary>
    internal bool IsDevelopment { get; set; }

    public bool IsConfigured => Jwt.IsConfigured || ApiKeys.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured && !AllowAnonymous && !IsDevelopment)
        {
            yield return new ValidationResult(
                "no authentication is configured outside Development: set Auth:Jwt (Authority or SigningKeys, and Audience) "
                + "or Auth:ApiKeys:<name>:Hash, or Auth:AllowAnonymous=true to run the API open to every caller",
                [nameof(ApiKeys)]);
        }

        if (IsConfigured && AllowAnonymous)
        {
            yield return new ValidationResult("cannot be combined with Auth:Jwt or Auth:ApiKeys", [nameof(AllowAnonymous)]);
        }

        if (Jwt.IsConfigured && string.IsNullOrWhiteSpace(Jwt.Audience))
        {
            yield return new ValidationResult("is required with Auth:Jwt: the aud this API accepts", ["Jwt:Audience"]);
        }

        if (Jwt.SigningKeys.Length > 0 && string.IsNullOrWhiteSpace(Jwt.Authority) && string.IsNullOrWhiteSpace(Jwt.Issuer))
        {
            yield return new ValidationResult("is required with Auth:Jwt:SigningKeys: the iss this API accepts", ["Jwt:Issuer"]);
        }

        for (var index = 0; index < Jwt.SigningKeys.Length; index++)
        {
            if (!SigningKeys.TryParse(Jwt.SigningKeys[index], out _))
            {
                yield return new ValidationResult("must be an RSA or EC public key (PEM, or base64 SubjectPublicKeyInfo)", [$"Jwt:SigningKeys:{index}"]);
            }
        }

        if (Jwt.ClockSkew < TimeSpan.Zero || Jwt.ClockSkew > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("must be a duration from 00:00:00 to 00:05:00", ["Jwt:ClockSkew"]);
        }

        foreach (var (name, key) in ApiKeys)
        {
            if (!SecretHash.TryParseHex(key.Hash, out _))
            {
                yield return new ValidationResult(
                    "must be the key's SHA-256 as 64 hex digits (TaskPipeline.Producer --new-api-key prints a key and its hash)",
                    [$"ApiKeys:{name}:Hash"]);
            }

            var scopes = key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (scopes.Length == 0 || !scopes.All(ApiScopes.IsKnown))
            {
                yield return new ValidationResult($"must list {ApiScopes.Read}, {ApiScopes.Write} or both, space-separated", [$"ApiKeys:{name}:Scopes"]);
            }
        }
    }
}
