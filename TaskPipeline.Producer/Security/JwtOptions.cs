namespace TaskPipeline.Producer.Security;

/// <summary>
/// <c>Auth:Jwt</c>: bearer tokens from any OpenID Connect provider (its <see cref="Authority"/>, keys discovered from
/// its metadata) or from an issuer whose public keys are configured (<see cref="SigningKeys"/>).
/// </summary>
internal sealed class JwtOptions
{
    /// <summary>The provider's URL; its <c>/.well-known/openid-configuration</c> gives the issuer and the keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; required with <see cref="SigningKeys"/>, read from the metadata otherwise.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>: this API's identifier at the provider.</summary>
    public string? Audience { get; set; }

    /// <summary>Public keys that sign tokens (RSA or EC, PEM or base64 SubjectPublicKeyInfo), instead of discovery.</summary>
    public string[] SigningKeys { get; set; } = [];

    /// <summary>Tolerated clock difference when checking <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Metadata only over HTTPS, except for a provider on loopback during development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) || SigningKeys.Length > 0;
}
