namespace TaskPipeline.AppHost;

/// <summary>The AppHost cannot build the application from its settings; the message is the one line the user sees.</summary>
internal sealed class AppHostConfigurationException(string message) : Exception(message);
