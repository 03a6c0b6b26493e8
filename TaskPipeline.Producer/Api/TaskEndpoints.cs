using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.Producer.Scheduling;
using TaskPipeline.Producer.Security;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Api;

/// <summary>The route handlers of <c>/api/tasks</c>.</summary>
internal static class TaskEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private static readonly string BodyShape =
        $"a JSON object: {{\"type\": {TaskLimits.MinType}-{TaskLimits.MaxType}, \"value\": {TaskLimits.MinValue}-{TaskLimits.MaxValue}}}, optionally with \"priority\": {TaskLimits.MinPriority}-{TaskLimits.MaxPriority} and \"runAt\" or \"delay\"";

    public static async Task<Results<Created<TaskRecord>, Ok<TaskRecord>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request,
        [FromHeader(Name = IdempotencyKey.HeaderName)]
        [Description("Up to 255 visible ASCII characters naming this create for 24 hours (a UUID makes a good key): a repeat with the same body answers 200 with the first answer's task, another body 422.")]
        string[]? idempotencyKey,
        TaskIntake intake,
        TaskIdempotency idempotency,
        ScheduleSignal schedule,
        ProducerMetrics metrics,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        // A body that is not application/json never gets here: the route accepts only JSON (415 otherwise).
        CreateTaskRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, TaskApiJsonContext.Default.CreateTaskRequest, cancellationToken);
        }
        catch (JsonException exception)
        {
            return InvalidBody(exception.Path);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "The body is too large.",
                detail: $"A request body may have at most {TaskApiExtensions.MaxRequestBodySize} bytes.");
        }

        if (body is null)
        {
            return ApiResults.Invalid("body", $"must be {BodyShape}");
        }

        var errors = new Dictionary<string, string[]>();
        Require(body.Type, "type", TaskLimits.MinType, TaskLimits.MaxType, errors);
        Require(body.Value, "value", TaskLimits.MinValue, TaskLimits.MaxValue, errors);
        if (body.Priority is < TaskLimits.MinPriority or > TaskLimits.MaxPriority)
        {
            errors["priority"] = [$"must be from {TaskLimits.MinPriority} to {TaskLimits.MaxPriority} (was {body.Priority})"];
        }

        var now = time.GetUtcNow();
        var due = DueTimeRequest.Resolve(body.RunAt, body.Delay, now, errors);
        var key = IdempotencyKey.Read(idempotencyKey, errors);
        var logger = loggerFactory.CreateLogger(typeof(TaskEndpoints));
        if (errors.Count > 0 || due is not { } dueTime)
        {
            // A repeat of a create that was valid when first made (a delayed one whose due time has passed since)
            // still gets the first answer.
            if (key is not null && body.Type is not null && body.Value is not null
                && await idempotency.FindAsync(ClientIdentity.Of(request.HttpContext), key, IdempotencyKey.Hash(body), cancellationToken) is { SameRequest: true, Response: { } first } known)
            {
                TaskApiLog.IdempotentRepeat(logger, key, known.TaskId, sameRequest: true);
                return TypedResults.Ok(JsonSerializer.Deserialize(first, TaskApiJsonContext.Default.TaskRecord)!);
            }

            return ApiResults.Invalid(errors);
        }

        var task = new NewTask(Guid.CreateVersion7(now), (short)body.Type!.Value, (short)body.Value!.Value, (byte)(body.Priority ?? TaskLimits.DefaultPriority));
        TaskRecord stored;
        if (key is null)
        {
            stored = await intake.InsertAsync(task, dueTime, cancellationToken);
        }
        else
        {
            var once = await idempotency.CreateOnceAsync(
                ClientIdentity.Of(request.HttpContext), key, IdempotencyKey.Hash(body), task, dueTime,
                static record => JsonSerializer.Serialize(record, TaskApiJsonContext.Default.TaskRecord), cancellationToken);
            if (!once.Created)
            {
                TaskApiLog.IdempotentRepeat(logger, key, once.TaskId, once.SameRequest);
                return once.SameRequest && once.Response is { } response
                    ? TypedResults.Ok(JsonSerializer.Deserialize(response, TaskApiJsonContext.Default.TaskRecord)!)
                    : ApiResults.IdempotencyKeyReused(key, once.TaskId);
            }

            stored = once.Task!;
        }

        if (stored.State == TaskState.Scheduled)
        {
            metrics.Scheduled();
            TaskApiLog.TaskScheduled(logger, task.Id, task.Type, task.Value, stored.RunAt!.Value);
            schedule.Scheduled(stored.RunAt.Value);
        }
        else
        {
            metrics.Produced([task]);
            TaskApiLog.TaskCreated(logger, task.Id, task.Type, task.Value);
            await intake.HandOffAsync(task);
        }

        return TypedResults.Created($"/api/tasks/{task.Id}", stored);
    }

    public static async Task<Results<Ok<TaskRecord>, ValidationProblem, ProblemHttpResult>> GetAsync(
        [Description("The task's id (a UUID).")] string id,
        TaskReads reads,
        CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseId(id, out var taskId))
        {
            return ApiResults.InvalidId();
        }

        return await reads.GetAsync(taskId, cancellationToken) is { } task
            ? TypedResults.Ok(task)
            : ApiResults.TaskNotFound(taskId);
    }

    public static async Task<Results<Ok<TaskPage>, ValidationProblem>> ListAsync(
        [Description("Only tasks in this state: scheduled, received, processing, done, failed or canceled.")] string? state,
        [Description("Only tasks of this type, 0 to 9.")] string? type,
        [Description("Only tasks of this priority, 0 to 9.")] string? priority,
        [Description("Tasks per page, 1 to 1000 (default 100).")] string? limit,
        [Description("The `next` of the previous page: tasks older than this id.")] string? after,
        TaskReads reads,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        TaskState? stateFilter = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (TaskStates.TryParse(state, out var parsed))
            {
                stateFilter = parsed;
            }
            else
            {
                errors["state"] = [$"must be one of {TaskStates.Allowed} (was '{state}')"];
            }
        }

        var typeFilter = QueryParameters.Integer(type, "type", TaskLimits.MinType, TaskLimits.MaxType, errors);
        var priorityFilter = QueryParameters.Integer(priority, "priority", TaskLimits.MinPriority, TaskLimits.MaxPriority, errors);
        var pageSize = QueryParameters.Integer(limit, "limit", 1, MaxPageSize, errors) ?? DefaultPageSize;
        Guid? before = null;
        if (!string.IsNullOrEmpty(after))
        {
            if (QueryParameters.TryParseId(after, out var cursor))
            {
                before = cursor;
            }
            else
            {
                errors["after"] = ["must be the `next` of a previous page (a task id)"];
            }
        }

        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }

        var (items, more) = await reads.ListAsync(stateFilter, (short?)typeFilter, (short?)priorityFilter, before, pageSize, cancellationToken);
        return TypedResults.Ok(new TaskPage(items, more ? items[^1].Id : null));
    }

    public static async Task<Results<Ok<TaskRecord>, ValidationProblem, ProblemHttpResult>> CancelAsync(
        [Description("The task's id (a UUID).")] string id,
        TaskCancellations cancellations,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseId(id, out var taskId))
        {
            return ApiResults.InvalidId();
        }

        // The statement reports the state it saw before waiting for the row; when that was still cancelable, a
        // Consumer finished the task meanwhile, and the next run sees it terminal.
        for (var attempt = 1; ; attempt++)
        {
            if (await cancellations.CancelAsync(taskId, cancellationToken) is not { } result)
            {
                return ApiResults.TaskNotFound(taskId);
            }

            var (changed, task) = result;
            if (changed)
            {
                var logger = loggerFactory.CreateLogger(typeof(TaskEndpoints));
                TaskApiLog.TaskCanceled(logger, taskId);
                return TypedResults.Ok(task);
            }

            if (TaskStates.IsTerminal(task.State) || attempt == 3)
            {
                return ApiResults.Conflict(
                    "The task cannot be canceled.",
                    task,
                    $"Task {taskId} is already {TaskStates.Name(task.State)}; only scheduled, received or processing tasks can be canceled.");
            }
        }
    }

    public static async Task<Results<Ok<TaskRecord>, ValidationProblem, ProblemHttpResult>> RetryAsync(
        [Description("The task's id (a UUID).")] string id,
        TaskRetries retries,
        TaskIntake intake,
        IOptions<ProducerOptions> options,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseId(id, out var taskId))
        {
            return ApiResults.InvalidId();
        }

        if (await retries.RetryAsync(taskId, options.Value.RedispatchAfter, cancellationToken) is not { } result)
        {
            return ApiResults.TaskNotFound(taskId);
        }

        var (changed, task) = result;
        if (!changed)
        {
            return ApiResults.Conflict(
                "The task cannot be retried.",
                task,
                $"Task {taskId} is {TaskStates.Name(task.State)}; only failed or canceled tasks can be retried.");
        }

        var logger = loggerFactory.CreateLogger(typeof(TaskEndpoints));
        TaskApiLog.TaskRequeued(logger, taskId);
        await intake.HandOffAsync(new NewTask(task.Id, (short)task.Type, (short)task.Value, (byte)task.Priority));
        return TypedResults.Ok(task);
    }

    /// <summary>
    /// Tasks one retry-many call requeues unless it asks for another number: one batch. On a 10-million-row table,
    /// requeueing the oldest canceled tasks (rows the cache has not seen, each on its own page) took 30 ms at the
    /// median and 74 ms at worst for 1,000 a call, 23 and 61 ms for 500.
    /// </summary>
    public const int RetryManyDefaultLimit = 200;

    public static async Task<Results<Ok<RetryManyResponse>, ValidationProblem>> RetryManyAsync(
        [Description("failed (the dead letter, default) or canceled.")] string? state,
        [Description("Only tasks of this type, 0 to 9.")] string? type,
        [Description("The most tasks to requeue in this call, 1 to 100000 (default 200); call again while the answer says more.")] string? limit,
        TaskRetries retries,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var from = TaskState.Failed;
        if (!string.IsNullOrEmpty(state) && !(TaskStates.TryParse(state, out from) && from is TaskState.Failed or TaskState.Canceled))
        {
            errors["state"] = [$"must be failed or canceled (was '{state}')"];
        }

        var typeFilter = QueryParameters.Integer(type, "type", TaskLimits.MinType, TaskLimits.MaxType, errors);
        var most = QueryParameters.Integer(limit, "limit", 1, TaskRetries.RetryManyMaxLimit, errors) ?? RetryManyDefaultLimit;
        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }

        var (count, more) = await retries.RetryManyAsync(from, (short?)typeFilter, most, cancellationToken);
        var logger = loggerFactory.CreateLogger(typeof(TaskEndpoints));
        TaskApiLog.TasksRequeued(logger, count, from, typeFilter);
        return TypedResults.Ok(new RetryManyResponse(count, more));
    }

    public static async Task<Ok<TaskStats>> StatsAsync(TaskReads reads, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reads.StatsAsync(cancellationToken));

    public static async Task<Ok<ThroughputHistory>> HistoryAsync(TaskReads reads, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reads.ThroughputAsync(cancellationToken));

    private static void Require(int? value, string name, int min, int max, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            errors[name] = [$"is required: an integer from {min} to {max}"];
        }
        else if (value < min || value > max)
        {
            errors[name] = [$"must be from {min} to {max} (was {value})"];
        }
    }

    /// <summary>A body that does not deserialize: the field it stopped at when there is one ($.type, $.value), else the body.</summary>
    private static ValidationProblem InvalidBody(string? path)
    {
        // "$.name" for a top-level member (an unknown one included); "$", "$[0]" or nothing for the body itself.
        var member = path?.StartsWith("$.", StringComparison.Ordinal) == true ? path[2..] : null;
        return member?.ToLowerInvariant() switch
        {
            null => ApiResults.Invalid("body", $"must be {BodyShape}"),
            "type" => ApiResults.Invalid("type", $"must be an integer from {TaskLimits.MinType} to {TaskLimits.MaxType}"),
            "value" => ApiResults.Invalid("value", $"must be an integer from {TaskLimits.MinValue} to {TaskLimits.MaxValue}"),
            "runat" => ApiResults.Invalid(DueTimeRequest.RunAtField, $"must be {DueTimeRequest.RunAtShape}"),
            "delay" => ApiResults.Invalid(DueTimeRequest.DelayField, $"must be {DueTimeRequest.DelayShape}"),
            "priority" => ApiResults.Invalid("priority", $"must be an integer from {TaskLimits.MinPriority} to {TaskLimits.MaxPriority}"),
            _ => ApiResults.Invalid(member, $"is not a field of this request: the body is {BodyShape}"),
        };
    }
}
