namespace TaskPipeline.AppHost.Publishing;

/// <summary>One environment variable of a deployed service.</summary>
internal sealed record EnvEntry(string Name, EnvValue Value);
