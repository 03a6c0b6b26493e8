using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using TaskPipeline.Data;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Producer.Security;

namespace TaskPipeline.Producer.Api;

internal static class TaskApiExtensions
{
    /// <summary>The largest request body the API reads (a task is about 30 bytes of JSON).</summary>
    public const int MaxRequestBodySize = 16 * 1024;

    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>The Task API (create, read, list, cancel, retry, stats) and its OpenAPI document.</summary>
    public static TBuilder AddTaskApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, TaskApiJsonContext.Default);
            // Numbers are numbers (the web defaults also read them from strings), here and in the OpenAPI schemas.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddOpenApi(openApi =>
        {
            // The API only: not the profiling routes that share the application.
            openApi.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "TaskPipeline Producer API";
                document.Info.Version = "v1";
                document.Info.Description =
                    "Create, read, list, cancel and retry tasks, count them, and follow their terminal state changes as "
                    + "Server-Sent Events. Errors are ProblemDetails (RFC 9457); invalid input is a 400 naming each bad field.";
                return Task.CompletedTask;
            });
            openApi.AddOperationTransformer(ParameterSchema.ApplyAsync);
            openApi.AddDocumentTransformer(SecuritySchemes.DescribeAsync);
            openApi.AddOperationTransformer(SecuritySchemes.RequireAsync);
            openApi.AddSchemaTransformer((schema, context, _) =>
            {
                // Nullable only so that an omitted field is told from 0; null is not a valid value.
                if (context.JsonTypeInfo.Type == typeof(CreateTaskRequest))
                {
                    foreach (var property in schema.Properties?.Values.OfType<OpenApiSchema>() ?? [])
                    {
                        property.Type &= ~JsonSchemaType.Null;
                    }

                    DescribeDueTime(schema);
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>runAt is read as text and delay as any JSON (CreateTaskRequest says why); the schema says what they accept.</summary>
    private static void DescribeDueTime(OpenApiSchema schema)
    {
        if (schema.Properties is { } properties && properties.TryGetValue(DueTimeRequest.RunAtField, out var runAtSchema) && runAtSchema is OpenApiSchema runAt)
        {
            runAt.Format = "date-time";
        }

        if (schema.Properties is { } all && all.TryGetValue(DueTimeRequest.DelayField, out var delaySchema) && delaySchema is OpenApiSchema delay)
        {
            delay.Type = null;
            delay.OneOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.Number, ExclusiveMinimum = "0", Description = "Seconds." },
                new OpenApiSchema { Type = JsonSchemaType.String, Format = "duration", Description = "ISO 8601 duration in weeks, days, hours, minutes and seconds." },
            ];
        }
    }

    public static WebApplication MapTaskApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        // Errors answered without a body (unknown route, wrong method, wrong content type) get a ProblemDetails too.
        app.UseStatusCodePages();
        app.Use(RequestBodyLimit.RejectOversizedAsync);
        app.UseApiSecurity();
        app.MapOpenApi(OpenApiPath);

        var api = app.MapApiGroup();

        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapPost(string.Empty, TaskEndpoints.CreateAsync)
            .RequireAuthorization(ApiScopes.Write)
            .WithName("CreateTask")
            .WithSummary("Create a task")
            .WithDescription(
                "Stores the task as received and sends it to a Consumer at once; with `runAt` or `delay`, stores it as scheduled "
                + "until then. `type` and `value` are required; any other field is refused (400). With an `Idempotency-Key` header, "
                + "a repeat of the same body within 24 hours answers 200 with the first answer's task instead of making another, and "
                + "the same key with another body answers 422.")
            .Accepts<CreateTaskRequest>("application/json")
            .Produces<TaskRecord>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        tasks.MapGet(string.Empty, TaskEndpoints.ListAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithName("ListTasks")
            .WithSummary("List tasks, newest first")
            .WithDescription("Keyset pagination: pass the page's `next` as `after` for the next page; `next` is null on the last one.")
            .WithMetadata(
                ParameterSchema.OneOf("state", [.. Enum.GetValues<TaskState>().Select(TaskStates.Name)]),
                ParameterSchema.Integer("type", TaskLimits.MinType, TaskLimits.MaxType),
                ParameterSchema.Integer("priority", TaskLimits.MinPriority, TaskLimits.MaxPriority),
                ParameterSchema.Integer("limit", 1, TaskEndpoints.MaxPageSize),
                ParameterSchema.Uuid("after"))
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        tasks.MapGet("/{id}", TaskEndpoints.GetAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithName("GetTask")
            .WithSummary("Read a task")
            .WithMetadata(ParameterSchema.Uuid("id"))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        tasks.MapPost("/{id}/cancel", TaskEndpoints.CancelAsync)
            .RequireAuthorization(ApiScopes.Write)
            .WithName("CancelTask")
            .WithSummary("Cancel a scheduled, received or processing task")
            .WithMetadata(ParameterSchema.Uuid("id"))
            .WithDescription("A Consumer working on it stops at once and never marks it done. 409 when the task already ended.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        tasks.MapPost("/{id}/retry", TaskEndpoints.RetryAsync)
            .RequireAuthorization(ApiScopes.Write)
            .WithName("RetryTask")
            .WithSummary("Requeue a failed (dead-lettered) or canceled task")
            .WithMetadata(ParameterSchema.Uuid("id"))
            .WithDescription("Back to received with its attempts reset; it flows through the pipeline again. 409 in any other state.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        tasks.MapPost("/retry", TaskEndpoints.RetryManyAsync)
            .RequireAuthorization(ApiScopes.Write)
            .WithName("RetryTasks")
            .WithSummary("Requeue failed (or canceled) tasks, oldest first, optionally of one type, up to a limit per call")
            .WithMetadata(
                ParameterSchema.OneOf("state", TaskStates.Name(TaskState.Failed), TaskStates.Name(TaskState.Canceled)),
                ParameterSchema.Integer("type", TaskLimits.MinType, TaskLimits.MaxType),
                ParameterSchema.Integer("limit", 1, TaskRetries.RetryManyMaxLimit))
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/stats", TaskEndpoints.StatsAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithTags("Stats")
            .WithName("GetStats")
            .WithSummary("Count tasks per state, tasks deleted by retention, and tasks ever done and their value sum per type")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/stats/history", TaskEndpoints.HistoryAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithTags("Stats")
            .WithName("GetThroughputHistory")
            .WithSummary("Done and failed tasks per second for the last five minutes and per minute for the last hour, from the database")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/me", PipelineEndpoints.Me)
            .RequireAuthorization(ApiScopes.Any)
            .WithTags("Pipeline")
            .WithName("GetCaller")
            .WithSummary("The principal this request runs as, and its scopes");
        api.MapGet("/pipeline", PipelineEndpoints.PipelineAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithTags("Pipeline")
            .WithName("GetPipeline")
            .WithSummary("The backlog against Producer:MaxBacklog, whether generation is running, paused or finished, and how many Consumers hold work");

        return app;
    }

    /// <summary>
    /// <c>/api</c>: the body size limit, the per-client rate limit, and the answers every route may give before its
    /// handler runs (401, 403, 429).
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this WebApplication app) => app.MapGroup("/api")
        .WithMetadata(new RequestBodyLimit(MaxRequestBodySize))
        .RequireRateLimiting(ApiSecurityExtensions.RateLimitPolicy)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
