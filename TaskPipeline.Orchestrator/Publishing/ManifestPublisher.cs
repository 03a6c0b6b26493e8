using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TaskPipeline.AppHost.Hosting;

namespace TaskPipeline.AppHost.Publishing;

/// <summary>
/// The Aspire manifest azd deploys from (shared/docs/aspire-contract.md, schema aspire-8.0.json): the password as a
/// generated secret <c>parameter.v0</c>, PostgreSQL as a <c>container.v0</c>, the database as a <c>value.v0</c>, each
/// service as a <c>project.v0</c> whose path is relative to the manifest. Never <c>executable.v0</c>: azd rejects it.
/// </summary>
internal static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";
    public const string DefaultFileName = "aspire-manifest.json";

    /// <summary>Aspire's rule: a path that does not end in .json is a directory, and the manifest goes in it.</summary>
    public static string ResolvePath(string? outputPath)
    {
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(outputPath) ? "." : outputPath);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? path : Path.Combine(path, DefaultFileName);
    }

    public static IReadOnlyList<string> Publish(DeploymentModel model, string? outputPath)
    {
        var path = ResolvePath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var stream = File.Create(path))
        // Relaxed escaping, as Aspire writes it: "http://+:…", not "http://\u002B:…" (the file is never embedded in HTML).
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(json, model, Path.GetDirectoryName(path)!);
        }

        return [path];
    }

    private static void Write(Utf8JsonWriter json, DeploymentModel model, string manifestDirectory)
    {
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUrl);
        json.WriteStartObject("resources");

        WritePassword(json);
        WritePostgres(json);
        json.WriteStartObject(DeploymentModel.Database);
        json.WriteString("type", "value.v0");
        json.WriteString("connectionString", $"{{{DeploymentModel.Postgres}.connectionString}};Database={DeploymentModel.Database}");
        json.WriteEndObject();

        foreach (var service in model.Services)
        {
            WriteProject(json, service, manifestDirectory);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePassword(Utf8JsonWriter json)
    {
        json.WriteStartObject(DeploymentModel.PasswordParameter);
        json.WriteString("type", "parameter.v0");
        json.WriteString("value", $"{{{DeploymentModel.PasswordParameter}.inputs.value}}");
        json.WriteStartObject("inputs");
        json.WriteStartObject("value");
        json.WriteString("type", "string");
        json.WriteBoolean("secret", true);
        json.WriteStartObject("default");
        json.WriteStartObject("generate");
        json.WriteNumber("minLength", 22);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePostgres(Utf8JsonWriter json)
    {
        var postgres = DeploymentModel.Postgres;
        json.WriteStartObject(postgres);
        json.WriteString("type", "container.v0");
        json.WriteString(
            "connectionString",
            $"Host={{{postgres}.bindings.tcp.host}};Port={{{postgres}.bindings.tcp.port}};Username={PostgresContainer.User};Password={{{DeploymentModel.PasswordParameter}.value}}");
        json.WriteString("image", PostgresContainer.Image);
        json.WriteStartArray("volumes");
        json.WriteStartObject();
        json.WriteString("name", DeploymentModel.PostgresVolume);
        json.WriteString("target", PostgresContainer.DataDirectory);
        json.WriteBoolean("readOnly", false);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("env");
        foreach (var (name, value) in PostgresContainer.Settings)
        {
            json.WriteString(name, value);
        }

        json.WriteString(PostgresContainer.PasswordVariable, $"{{{DeploymentModel.PasswordParameter}.value}}");
        json.WriteEndObject();
        json.WriteStartObject("bindings");
        json.WriteStartObject(PipelineApp.TcpEndpoint);
        json.WriteString("scheme", "tcp");
        json.WriteString("protocol", "tcp");
        json.WriteString("transport", "tcp");
        json.WriteNumber("targetPort", PostgresContainer.Port);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteProject(Utf8JsonWriter json, DeployedService service, string manifestDirectory)
    {
        json.WriteStartObject(service.Name);
        json.WriteString("type", "project.v0");
        json.WriteString("path", Path.GetRelativePath(manifestDirectory, service.ProjectFile).Replace('\\', '/'));
        json.WriteStartObject("env");
        foreach (var entry in service.Environment)
        {
            switch (entry.Value)
            {
                case EnvValue.ServiceEndpoints reference:
                    // One entry: Azure Container Apps gives the service one address, and its ingress spreads each
                    // request (gRPC included) over the replicas.
                    json.WriteString($"{entry.Name}__0", $"{{{reference.Service.Name}.bindings.{reference.Endpoint.Name}.url}}");
                    break;
                default:
                    json.WriteString(entry.Name, Render(service, entry.Value));
                    break;
            }
        }

        json.WriteEndObject();
        json.WriteStartObject("bindings");
        foreach (var endpoint in service.Endpoints)
        {
            json.WriteStartObject(endpoint.Name);
            json.WriteString("scheme", "http");
            json.WriteString("protocol", "tcp");
            json.WriteString("transport", endpoint.Transport);
            json.WriteNumber("targetPort", endpoint.TargetPort);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Render(DeployedService service, EnvValue value) => value switch
    {
        EnvValue.Literal literal => literal.Value,
        // The port through the binding, so a deployment tool that moves the target port moves the listener with it.
        EnvValue.ListenUrl listen => $"http://+:{{{service.Name}.bindings.{listen.Endpoint.Name}.targetPort}}",
        EnvValue.ConnectionString connection => $"{{{connection.Database}.connectionString}}",
        _ => throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{value.GetType().Name} is not rendered here")),
    };
}
