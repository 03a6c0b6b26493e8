namespace TaskPipeline.Deploy;

/// <summary>A named volume of a container resource (<c>volumes[]</c>).</summary>
internal sealed record ManifestVolume(string Name, string Target, bool ReadOnly);
