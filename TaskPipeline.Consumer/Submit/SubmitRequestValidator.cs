using Grpc.Core;
using TaskPipeline.Contracts;
using TaskPipeline.Data;

namespace TaskPipeline.Consumer.Submit;

/// <summary>
/// Checks a Submit batch before anything touches the database. Every violation names its field and index
/// ("tasks[3].value"), both in the status detail and as "field" trailers, so a caller can tell exactly what to fix.
/// </summary>
internal static class SubmitRequestValidator
{

    /// <summary>Enough to fix a batch without turning one bad call into a huge status message.</summary>
    private const int MaxReportedViolations = 10;

    /// <summary>The batch's ids in request order, or the first violations found.</summary>
    public static SubmitValidation Validate(SubmitRequest request, int maxBatchSize)
    {
        var tasks = request.Tasks;
        if (tasks.Count == 0)
        {
            return SubmitValidation.Invalid([new("tasks", "must contain at least one task")]);
        }

        if (tasks.Count > maxBatchSize)
        {
            return SubmitValidation.Invalid([new("tasks", $"has {tasks.Count} tasks; at most {maxBatchSize} are allowed per call")]);
        }

        var ids = new Guid[tasks.Count];
        var firstIndexOf = new Dictionary<Guid, int>(tasks.Count);
        List<FieldViolation>? violations = null;

        void Add(FieldViolation violation) => (violations ??= []).Add(violation);

        for (var i = 0; i < tasks.Count && (violations?.Count ?? 0) < MaxReportedViolations; i++)
        {
            var task = tasks[i];
            var idBytes = task.Id.Span;
            if (idBytes.Length != 16)
            {
                Add(new($"tasks[{i}].id", $"must be a 16-byte UUID (got {idBytes.Length} bytes)"));
            }
            else
            {
                var id = new Guid(idBytes, bigEndian: true);
                if (firstIndexOf.TryGetValue(id, out var first))
                {
                    Add(new($"tasks[{i}].id", $"repeats tasks[{first}].id ({id})"));
                }
                else
                {
                    firstIndexOf.Add(id, i);
                    ids[i] = id;
                }
            }

            if (task.Type is < TaskLimits.MinType or > TaskLimits.MaxType)
            {
                Add(new($"tasks[{i}].type", $"must be from {TaskLimits.MinType} to {TaskLimits.MaxType} (got {task.Type})"));
            }

            if (task.Value is < TaskLimits.MinValue or > TaskLimits.MaxValue)
            {
                Add(new($"tasks[{i}].value", $"must be from {TaskLimits.MinValue} to {TaskLimits.MaxValue} (got {task.Value})"));
            }
        }

        return violations is null ? SubmitValidation.Valid(ids, firstIndexOf) : SubmitValidation.Invalid([.. violations.Take(MaxReportedViolations)]);
    }

    public static RpcException ToRpcException(IReadOnlyList<FieldViolation> violations)
    {
        var trailers = new Metadata();
        foreach (var violation in violations)
        {
            trailers.Add(SubmitTrailers.Field, violation.Field);
        }

        var detail = string.Join("; ", violations.Select(v => $"{v.Field} {v.Description}"));
        return new RpcException(new Status(StatusCode.InvalidArgument, $"invalid task batch: {detail}"), trailers);
    }
}
