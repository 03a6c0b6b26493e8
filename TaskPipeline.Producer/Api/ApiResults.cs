using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>The API's error answers, all ProblemDetails (RFC 9457).</summary>
internal static class ApiResults
{
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem InvalidId() => Invalid("id", "must be a UUID, e.g. 01967b4e-6a54-7c1e-9f3b-2d5c8e0a1b2c");

    public static ProblemHttpResult TaskNotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found.", detail: $"There is no task {id}.");

    public static ProblemHttpResult Conflict(string title, TaskRecord task, string detail) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: title,
            detail: detail,
            extensions: new Dictionary<string, object?> { ["state"] = TaskStates.Name(task.State) });

    public static ProblemHttpResult IdempotencyKeyReused(string key, Guid taskId) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The idempotency key was used for another request.",
            detail: $"Idempotency-Key '{key}' made task {taskId} within the last {TaskIdempotency.KeyLifetime.TotalHours:0} hours from a different body; "
                + "a repeat must send the same body, and a new request needs a new key.",
            extensions: new Dictionary<string, object?> { ["idempotencyKey"] = key, ["taskId"] = taskId });
}
