using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Producer.Security;

internal static class ApiSecurityExtensions
{
    /// <summary>The per-client rate limit every API route is under.</summary>
    public const string RateLimitPolicy = "per-client";

    /// <summary>
    /// Who may call the API and how often: JWT bearer tokens and API keys (whichever <c>Auth</c> configures), the
    /// <c>tasks:read</c> and <c>tasks:write</c> policies, and a token bucket per client.
    /// </summary>
    public static TBuilder AddApiSecurity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddValidatedOptions<ApiAuthOptions>(ApiAuthOptions.SectionName)
            .Configure<IHostEnvironment>((options, environment) => options.IsDevelopment = environment.IsDevelopment());
        services.AddValidatedOptions<ApiRateLimitOptions>(ApiRateLimitOptions.SectionName);
        services.AddSingleton<ApiKeyRing>();

        // Which schemes exist is decided from the raw configuration; the values are validated at start.
        var schemes = Schemes(builder.Configuration.GetSection(ApiAuthOptions.SectionName));
        var authentication = services.AddAuthentication(options => options.DefaultScheme = CredentialsScheme);
        authentication.AddPolicyScheme(CredentialsScheme, "The scheme the request's credentials belong to", policy =>
            policy.ForwardDefaultSelector = context => SchemeFor(context.Request, schemes));
        if (schemes.Contains(JwtBearerDefaults.AuthenticationScheme))
        {
            authentication.AddJwtBearer();
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<ApiAuthOptions>>(ConfigureJwt);
        }

        if (schemes.Contains(ApiKeyHandler.SchemeName))
        {
            authentication.AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, configureOptions: null);
        }

        if (schemes.Contains(OpenAccessHandler.SchemeName))
        {
            authentication.AddScheme<AuthenticationSchemeOptions, OpenAccessHandler>(OpenAccessHandler.SchemeName, configureOptions: null);
        }

        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in ApiScopes.All)
        {
            // Every scheme is asked, so a refusal challenges with each (one WWW-Authenticate per scheme).
            authorization.AddPolicy(scope, policy => policy
                .AddAuthenticationSchemes(schemes)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => ApiScopes.Has(context.User, scope)));
        }

        authorization.AddPolicy(ApiScopes.Any, policy => policy.AddAuthenticationSchemes(schemes).RequireAuthenticatedUser());

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RejectionCountingResultHandler>();
        services.Configure<Microsoft.AspNetCore.Http.ProblemDetailsOptions>(options =>
        {
            var previous = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                context.ProblemDetails.Detail ??= DetailFor(context.HttpContext, context.ProblemDetails.Status);
            };
        });

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, Partition);
            limiter.OnRejected = RejectAsync;
        });
        return builder;
    }

    /// <summary>After error handling (401, 403 and 429 become ProblemDetails), before the routes.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        // Before authorization, so a client whose credentials fail is limited too (per address).
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    private const string CredentialsScheme = "Credentials";

    private static string[] Schemes(IConfigurationSection auth)
    {
        var jwt = auth.GetSection("Jwt");
        var hasJwt = !string.IsNullOrWhiteSpace(jwt["Authority"]) || jwt.GetSection("SigningKeys").GetChildren().Any();
        var hasKeys = auth.GetSection("ApiKeys").GetChildren().Any();
        return (hasJwt, hasKeys) switch
        {
            (true, true) => [JwtBearerDefaults.AuthenticationScheme, ApiKeyHandler.SchemeName],
            (true, false) => [JwtBearerDefaults.AuthenticationScheme],
            (false, true) => [ApiKeyHandler.SchemeName],
            (false, false) => [OpenAccessHandler.SchemeName],
        };
    }

    private static string SchemeFor(HttpRequest request, string[] schemes)
    {
        if (request.Headers.ContainsKey(ApiKeyHandler.HeaderName) && schemes.Contains(ApiKeyHandler.SchemeName))
        {
            return ApiKeyHandler.SchemeName;
        }

        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && schemes.Contains(JwtBearerDefaults.AuthenticationScheme))
        {
            return JwtBearerDefaults.AuthenticationScheme;
        }

        return schemes[0];
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, IOptions<ApiAuthOptions> auth)
    {
        var settings = auth.Value.Jwt;
        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            jwt.Authority = settings.Authority;
        }

        jwt.Audience = settings.Audience;
        var validation = jwt.TokenValidationParameters;
        validation.ValidAudience = settings.Audience;
        validation.ValidIssuer = string.IsNullOrWhiteSpace(settings.Issuer) ? null : settings.Issuer;
        validation.ClockSkew = settings.ClockSkew;
        validation.NameClaimType = "sub";
        // The identity names its scheme (a 403's challenge, the rate limit's partition), not the handler's default.
        validation.AuthenticationType = JwtBearerDefaults.AuthenticationScheme;
        if (settings.SigningKeys.Length > 0)
        {
            validation.IssuerSigningKeys = SigningKeys.Parse(settings.SigningKeys);
        }
    }

    /// <summary>A token bucket per principal (scheme and name), per remote address for a request without one.</summary>
    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
        var client = ClientIdentity.Of(context);
        if (limits.RequestsPerSecond == 0)
        {
            return RateLimitPartition.GetNoLimiter(client);
        }

        return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Burst,
            TokensPerPeriod = Math.Max(1, limits.RequestsPerSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        context.RequestServices.GetRequiredService<ProducerMetrics>().ApiRequestRejected(ProducerMetrics.RateLimited);
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var limits = context.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
        await ProblemResponse.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            "Too many requests.",
            $"This client may make {limits.RequestsPerSecond} requests per second ({limits.Burst} at once); retry after {seconds} s.");
    }

    private static string? DetailFor(HttpContext context, int? status) => status switch
    {
        StatusCodes.Status401Unauthorized =>
            $"Send an API key in the {ApiKeyHandler.HeaderName} header or a bearer token in Authorization (see WWW-Authenticate).",
        StatusCodes.Status403Forbidden when context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>()?.Policy is { } scope =>
            $"The credentials are valid but lack the scope this route needs: {scope}.",
        _ => null,
    };
}
