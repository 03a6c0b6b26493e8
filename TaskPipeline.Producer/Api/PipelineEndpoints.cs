using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Security;

namespace TaskPipeline.Producer.Api;

/// <summary>The route handlers of <c>/api/me</c> and <c>/api/pipeline</c>: who is calling, and how the pipeline is doing.</summary>
internal static class PipelineEndpoints
{
    public static Ok<CallerInfo> Me(ClaimsPrincipal user) =>
        TypedResults.Ok(new CallerInfo(user.Identity?.Name ?? "anonymous", [.. ApiScopes.All.Where(scope => ApiScopes.Has(user, scope))]));

    public static async Task<Ok<PipelineState>> PipelineAsync(
        BacklogGate gate, GenerationProgress progress, IOptions<ProducerOptions> options, TaskReads reads, CancellationToken cancellationToken)
    {
        var backlog = await reads.CountBacklogAsync(cancellationToken);
        var consumers = await reads.CountClaimHoldersAsync(cancellationToken);
        // Finished wins: the gate keeps following the backlog after the last task, but no longer holds anything back.
        var finished = progress.Finished;
        var paused = !finished && gate.IsPaused;
        var generation = finished ? PipelineState.Finished : paused ? PipelineState.PausedState : PipelineState.Running;
        return TypedResults.Ok(new PipelineState(
            backlog, gate.MaxBacklog, paused, options.Value.Rate, consumers, generation, progress.Generated, options.Value.MaxTasks));
    }
}
