using System.ComponentModel;

namespace TaskPipeline.Producer.Api;

/// <summary><c>POST /api/tasks/retry</c>: how many tasks went back to received, and whether more may be left.</summary>
internal sealed record RetryManyResponse(
    [property: Description("Tasks requeued by this call.")] long Requeued,
    [property: Description("The call stopped at its limit: tasks may be left in that state; call again to requeue them.")] bool More);
