namespace TaskPipeline.Deploy;

/// <summary>Where a writer puts its main file: the path itself when it ends in .yaml/.yml, else that file name in that folder.</summary>
internal static class OutputPath
{
    public static string Resolve(string? outputPath, string defaultFileName)
    {
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(outputPath) ? "." : outputPath);
        return path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? path
            : Path.Combine(path, defaultFileName);
    }
}
