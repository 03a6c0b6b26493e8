using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TaskPipeline.Producer.Security;

namespace TaskPipeline.Producer.Api;

/// <summary>The OpenAPI document's security: both schemes, and on each operation the scope its policy requires.</summary>
internal static class SecuritySchemes
{
    private const string Bearer = "Bearer";
    private const string ApiKey = "ApiKey";

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = $"A token from the configured issuer (Auth:Jwt) whose `scope` lists {ApiScopes.Read} and/or {ApiScopes.Write}.",
        };
        document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyHandler.HeaderName,
            Description = "A key whose SHA-256 is configured in Auth:ApiKeys, with its scopes.",
        };
        return Task.CompletedTask;
    }

    public static Task RequireAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().FirstOrDefault()?.Policy is { } policy)
        {
            List<string> scopes = policy == ApiScopes.Any ? [] : [policy];
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = scopes },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKey, context.Document)] = [.. scopes] },
            ];
        }

        return Task.CompletedTask;
    }
}
