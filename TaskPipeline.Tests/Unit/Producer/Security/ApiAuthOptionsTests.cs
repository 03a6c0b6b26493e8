extern alias producer;

using producer::TaskPipeline.Producer.Security;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Unit.Producer.Security;

public sealed class ApiAuthOptionsTests
{
    private static readonly string SomeHash = new('a', 64);

    [Fact]
    public void NothingConfiguredIsValidOnlyInDevelopmentOrWithTheExplicitOptOut()
    {
        Assert.Equal([nameof(ApiAuthOptions.ApiKeys)], Annotations.InvalidMembers(new ApiAuthOptions()));
        Assert.Empty(Annotations.Validate(new ApiAuthOptions { IsDevelopment = true }));
        Assert.Empty(Annotations.Validate(new ApiAuthOptions { AllowAnonymous = true }));
    }

    [Fact]
    public void AnApiKeyIsConfiguredByTheSha256OfTheKeyAndKnownScopes()
    {
        Assert.Empty(Annotations.Validate(Keys(SomeHash, "tasks:read tasks:write")));
        Assert.Equal(["ApiKeys:ops:Hash"], Annotations.InvalidMembers(Keys("the-key-itself", "tasks:read")));
        Assert.Equal(["ApiKeys:ops:Scopes"], Annotations.InvalidMembers(Keys(SomeHash, "tasks:admin")));
        Assert.Equal(["ApiKeys:ops:Scopes"], Annotations.InvalidMembers(Keys(SomeHash, " ")));
    }

    [Fact]
    public void TheOptOutCannotBeCombinedWithCredentials()
    {
        var options = Keys(SomeHash, "tasks:read");
        options.AllowAnonymous = true;
        Assert.Equal([nameof(ApiAuthOptions.AllowAnonymous)], Annotations.InvalidMembers(options));
    }

    [Fact]
    public void JwtNeedsAnAudienceAndWithConfiguredKeysAnIssuerAndKeysThatParse()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());

        Assert.Equal(["Jwt:Audience", "Jwt:Issuer"], Annotations.InvalidMembers(new ApiAuthOptions { Jwt = { SigningKeys = [key] } }));
        Assert.Empty(Annotations.Validate(new ApiAuthOptions { Jwt = { SigningKeys = [key], Issuer = "https://issuer", Audience = "api" } }));
        Assert.Empty(Annotations.Validate(new ApiAuthOptions { Jwt = { SigningKeys = [rsa.ExportSubjectPublicKeyInfoPem()], Issuer = "https://issuer", Audience = "api" } }));
        Assert.Empty(Annotations.Validate(new ApiAuthOptions { Jwt = { Authority = "https://login.example", Audience = "api" } }));
        Assert.Equal(["Jwt:SigningKeys:0"], Annotations.InvalidMembers(new ApiAuthOptions { Jwt = { SigningKeys = ["not a key"], Issuer = "i", Audience = "a" } }));
    }

    private static ApiAuthOptions Keys(string hash, string scopes) =>
        new() { ApiKeys = { ["ops"] = new ApiKeyOptions { Hash = hash, Scopes = scopes } } };
}
