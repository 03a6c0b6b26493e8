using Npgsql;

namespace TaskPipeline.Producer.Data;

/// <summary>Counts the backlog of the whole pipeline: tasks received or processing, whichever Producer made them.</summary>
internal sealed class BacklogQuery(NpgsqlDataSource dataSource)
{
    // Two counts rather than `state IN (...)`: each one matches a partial index, so neither scans the done rows.
    private const string CountSql = """
        SELECT (SELECT count(*) FROM tasks WHERE state = 'received')
             + (SELECT count(*) FROM tasks WHERE state = 'processing')
        """;

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CountSql);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }
}
