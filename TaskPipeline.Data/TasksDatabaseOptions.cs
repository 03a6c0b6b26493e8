using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace TaskPipeline.Data;

/// <summary>ConnectionStrings:tasksdb, in the form an Aspire AppHost injects.</summary>
public sealed class TasksDatabaseOptions : IValidatableObject
{
    public const string ConnectionName = "tasksdb";
    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionName;

    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "is required; run through the AppHost (dotnet run --project TaskPipeline.AppHost) or set ConnectionStrings__tasksdb",
                [nameof(ConnectionString)]);
            yield break;
        }

        string? error = null;
        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException exception)
        {
            error = exception.Message;
        }

        if (error is not null)
        {
            yield return new ValidationResult($"is not a valid PostgreSQL connection string ({error})", [nameof(ConnectionString)]);
        }
    }
}
