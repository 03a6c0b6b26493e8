using Npgsql;
using TaskPipeline.Data.Notifications;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Tests.Distributed.Api;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Data;

/// <summary>
/// Statements that end tasks notify 'task_events' only while a Producer watches (0006_notify_only_while_watched.sql),
/// against the app's real database: with nobody watching a completion costs no notification, and a watch brings it back.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class TaskEventWatchersTests(TaskApiFixture app)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AnEndedTaskNotifiesOnlyWhileAWatchIsCurrent()
    {
        await using var dataSource = NpgsqlDataSource.Create(app.App.ConnectionString);
        var watchers = new TaskEventWatchers(dataSource);
        var cancellations = new TaskCancellations(dataSource);
        var held = (await TaskRows.InsertHeldAsync(app.App.ConnectionString, 3, CancellationToken.None)).Select(item => TaskRows.ToGuid(item.Id)).ToArray();

        await using var listener = await dataSource.OpenConnectionAsync();
        var heard = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref heard);
        await using (var listen = new NpgsqlCommand($"LISTEN {TaskNotifications.EventsChannel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        // Nobody watches: no stream is open in this collection now, and a lapsed watch does not count.
        await using (var clear = dataSource.CreateCommand("DELETE FROM task_event_watchers"))
        {
            await clear.ExecuteNonQueryAsync();
        }

        await watchers.WatchAsync("lapsed-watcher", TimeSpan.FromMilliseconds(-1), CancellationToken.None);
        Assert.True((await cancellations.CancelAsync(held[0], CancellationToken.None))?.Changed);
        Assert.False(await listener.WaitAsync(Quiet), "a completion notified while nobody watched");

        await watchers.WatchAsync("test-watcher", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.True((await cancellations.CancelAsync(held[1], CancellationToken.None))?.Changed);
        Assert.True(await listener.WaitAsync(Patience), "no notification while watched");
        Assert.Equal(1, Volatile.Read(ref heard));

        // The watch renewed with the same name replaces itself; the lapsed one went with it.
        await watchers.WatchAsync("test-watcher", TimeSpan.FromMinutes(1), CancellationToken.None);
        await using (var count = dataSource.CreateCommand("SELECT array_agg(watcher ORDER BY watcher) FROM task_event_watchers"))
        {
            Assert.Equal(["test-watcher"], (string[])(await count.ExecuteScalarAsync())!);
        }

        await watchers.UnwatchAsync("test-watcher", CancellationToken.None);
        Assert.True((await cancellations.CancelAsync(held[2], CancellationToken.None))?.Changed);
        Assert.False(await listener.WaitAsync(Quiet), "a completion notified after the watch ended");
    }
}
