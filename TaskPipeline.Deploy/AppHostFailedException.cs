namespace TaskPipeline.Deploy;

/// <summary>The AppHost's manifest publisher exited with an error; the message carries its output.</summary>
internal sealed class AppHostFailedException(string message) : Exception(message);
