using Npgsql;

namespace TaskPipeline.Data.Tasks;

/// <summary>
/// The task_event_watchers table (0006_notify_only_while_watched.sql): while a Producer holds a current row, statements
/// that end tasks send the 'task_events' notification; while nobody does, they send nothing.
/// </summary>
public sealed class TaskEventWatchers(NpgsqlDataSource dataSource)
{
    // Lapsed rows (a Producer that crashed while watching) go with the next watch: the table never grows.
    private const string WatchSql = """
        WITH lapsed AS (DELETE FROM task_event_watchers WHERE until < now() AND watcher <> $1)
        INSERT INTO task_event_watchers (watcher, until) VALUES ($1, now() + $2)
        ON CONFLICT (watcher) DO UPDATE SET until = excluded.until
        """;

    private const string UnwatchSql = "DELETE FROM task_event_watchers WHERE watcher = $1";

    /// <summary>Notifications are sent for the next <paramref name="lease"/> at least (until renewed or unwatched).</summary>
    public async Task WatchAsync(string watcher, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(WatchSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = watcher });
        command.Parameters.Add(TaskSql.Interval(lease));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task UnwatchAsync(string watcher, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(UnwatchSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = watcher });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
