using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using TaskPipeline.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// A request that fails because PostgreSQL is away is answered 503 with Retry-After, not 500: the same rule the
/// background loops retry by (<see cref="DatabaseFailure.IsTransient"/>), so a restart (57P01/57P02/57P03), a refused
/// connection or a timeout is "try again shortly" on every route.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>About how long PostgreSQL takes to come back from a restart.</summary>
    public const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDatabaseUnavailable(exception))
        {
            return false;
        }

        TaskApiLog.DatabaseUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The task database is unavailable.",
                Detail = "PostgreSQL is not reachable right now; retry shortly.",
            },
        });
    }

    /// <summary>
    /// The failure itself or what it wraps: Task.WhenAll and some library layers hand the database's exception on as
    /// an inner one, and that is still an outage, not a bug.
    /// </summary>
    internal static bool IsDatabaseUnavailable(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (DatabaseFailure.IsTransient(current))
            {
                return true;
            }

            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseUnavailable))
            {
                return true;
            }
        }

        return false;
    }
}
