using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// What a route or query parameter really accepts, for the OpenAPI document. The handlers take these values as strings
/// and parse them themselves (so a bad one gets a ProblemDetails naming it); without this the document would call
/// them plain strings. Endpoint metadata: <c>.WithMetadata(ParameterSchema.Integer("limit", 1, 1000))</c>.
/// </summary>
internal sealed record ParameterSchema(string Name, int? Minimum, int? Maximum, IReadOnlyList<string>? Values, string? Format)
{
    public static ParameterSchema Integer(string name, int minimum, int maximum) => new(name, minimum, maximum, null, "int32");

    public static ParameterSchema OneOf(string name, params string[] values) => new(name, null, null, values, null);

    public static ParameterSchema Uuid(string name) => new(name, null, null, null, "uuid");

    /// <summary>The operation transformer that applies the endpoint's <see cref="ParameterSchema"/>s.</summary>
    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<ParameterSchema>().ToDictionary(p => p.Name);
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name is { } name && declared.TryGetValue(name, out var schema))
            {
                parameter.Schema = schema.ToSchema();
            }
        }

        return Task.CompletedTask;
    }

    private OpenApiSchema ToSchema() => Minimum is not null || Maximum is not null
        ? new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = Format,
            Minimum = Minimum?.ToString(CultureInfo.InvariantCulture),
            Maximum = Maximum?.ToString(CultureInfo.InvariantCulture),
        }
        : new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Format = Format,
            Enum = Values is { } values ? [.. values.Select(value => (JsonNode)JsonValue.Create(value))] : null,
        };
}
