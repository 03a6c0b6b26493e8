namespace TaskPipeline.Deploy;

/// <summary>What the platforms need to know of the PostgreSQL image beyond the manifest: how to ask it whether it is ready.</summary>
internal static class PostgresImage
{
    public static bool Is(ManifestResource container) =>
        container.Image is { } image && (image.Split(':')[0] is "postgres" || image.Split(':')[0].EndsWith("/postgres", StringComparison.Ordinal));

    /// <summary>The superuser the image creates (<c>POSTGRES_USER</c>, <c>postgres</c> by default).</summary>
    public static string User(ManifestResource container) =>
        container.Environment.FirstOrDefault(variable => variable.Key == "POSTGRES_USER").Value ?? "postgres";
}
