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
        BacklogGate gate, IOptions<ProducerOptions> options, TaskReads reads, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PipelineState(
            await reads.CountBacklogAsync(cancellationToken),
            gate.MaxBacklog,
            gate.IsPaused,
            options.Value.Rate,
            await reads.CountClaimHoldersAsync(cancellationToken)));
}
