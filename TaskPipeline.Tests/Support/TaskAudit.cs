using Npgsql;

namespace TaskPipeline.Tests.Support;

/// <summary>Reads the tasks table, the source of truth, to check what the services claim.</summary>
internal sealed class TaskAudit(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task<Dictionary<string, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>();
        await using var command = _dataSource.CreateCommand("SELECT state::text, count(*) FROM tasks GROUP BY state");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>Per type: how many tasks are done and the sum of their values.</summary>
    public async Task<Dictionary<string, (long Count, long ValueSum)>> DoneByTypeAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (long, long)>();
        await using var command = _dataSource.CreateCommand(
            "SELECT type, count(*), sum(value) FROM tasks WHERE state = 'done' GROUP BY type");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetInt16(0).ToString(System.Globalization.CultureInfo.InvariantCulture)] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        return result;
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A two-column query (id, text) as a dictionary.</summary>
    public async Task<Dictionary<Guid, string>> RowsAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<Guid, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetGuid(0)] = reader.GetString(1);
        }

        return rows;
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the state counts, or fails with the last counts.</summary>
    public async Task<Dictionary<string, long>> WaitForStatesAsync(
        Func<Dictionary<string, long>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Dictionary<string, long> counts = [];
        try
        {
            while (true)
            {
                try
                {
                    counts = await CountByStateAsync(deadline.Token);
                    if (condition(counts))
                    {
                        return counts;
                    }
                }
                catch (NpgsqlException exception) when (exception.IsTransient || exception is PostgresException { SqlState: "57P01" })
                {
                    // The server restarted under us (a fault scenario): pooled connections are gone, ask again.
                    NpgsqlConnection.ClearAllPools();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Tasks did not reach the expected states within {timeout}: {string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"))}");
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
