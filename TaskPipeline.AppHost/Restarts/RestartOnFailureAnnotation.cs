namespace TaskPipeline.AppHost.Restarts;

/// <summary>Marks a resource whose unexpected exits <see cref="ResourceRestarter"/> watches (and restarts, by policy).</summary>
internal sealed class RestartOnFailureAnnotation : IResourceAnnotation;
