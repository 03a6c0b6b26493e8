using System.ComponentModel;

namespace TaskPipeline.Producer.Api;

/// <summary><c>POST /api/tasks/retry</c>: how many tasks went back to received.</summary>
internal sealed record RetryManyResponse([property: Description("Tasks requeued.")] long Requeued);
