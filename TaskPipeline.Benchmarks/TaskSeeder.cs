using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// Fills the tasks table with a realistic history by one binary COPY, as a day of the pipeline would have left it:
/// mostly done, 1 % failed, 0.5 % canceled, and the newest few hundred tasks a backlog (received, and the older part of
/// it processing) no larger than the Producer's MaxBacklog. Ids are UUIDv7 in creation order (what the API pages by);
/// type 0–9 and value 0–99 at random; created_at spread evenly over the last day; a terminal task's done_at a few
/// milliseconds to 100 ms after its creation, in creation order, and its event_seq drawn from task_event_seq in that
/// order (one nextval for the first, a setval past the last), as the services would have numbered them.
/// The columns are named, so a column others add with a default does not break it.
/// </summary>
internal static class TaskSeeder
{
    public const double FailedShare = 0.01;
    public const double CanceledShare = 0.005;
    public const int SampleIdCount = 1000;

    private const string CopySql = """
        COPY tasks (id, type, value, state, attempts, lease_owner, lease_expires_at, redispatch_at, last_error,
                    created_at, updated_at, done_at, event_seq)
        FROM STDIN (FORMAT BINARY)
        """;

    private const string SeedOwner = "benchmark-seed";

    /// <param name="backlog">Received plus processing rows (the newest): at most the Producer's MaxBacklog.</param>
    public static async Task<SeedResult> SeedAsync(string connectionString, long rows, int backlog, TextWriter progress, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName = "taskpipeline-bench-seed";
        // The COPY of 10 million rows takes minutes; the default 30 s would end it.
        builder.ConnectionStringBuilder.CommandTimeout = 0;
        builder.MapEnum<SeededState>("task_state");
        await using var dataSource = builder.Build();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        backlog = (int)Math.Min(backlog, rows);
        var processing = backlog * 2 / 5;
        var terminal = rows - backlog;
        long firstSeq = 0;
        if (terminal > 0)
        {
            await using var next = new NpgsqlCommand("SELECT nextval('task_event_seq')", connection);
            firstSeq = (long)(await next.ExecuteScalarAsync(cancellationToken))!;
        }

        var started = Stopwatch.GetTimestamp();
        var now = DateTime.UtcNow;
        // At least 1 ms apart, so that each task's UUIDv7 (millisecond timestamp, then random bits) sorts after the previous one's.
        var spacingTicks = Math.Max(TimeSpan.TicksPerDay / Math.Max(rows, 1), TimeSpan.TicksPerMillisecond);
        var first = now - TimeSpan.FromTicks(spacingTicks * rows);
        var random = new Random(21);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["received"] = 0, ["processing"] = 0, ["done"] = 0, ["failed"] = 0, ["canceled"] = 0,
        };
        var sampleIds = new List<Guid>(SampleIdCount);
        var sampleEvery = Math.Max(1, terminal / SampleIdCount);
        var leaseEnd = now.AddDays(1);
        var lastDone = DateTime.MinValue;
        var seq = firstSeq;
        var lastProgress = Stopwatch.GetTimestamp();

        // The synchronous importer: the asynchronous one costs a state machine per field, 130 million of them.
        await Task.Run(
            () =>
            {
                using var importer = connection.BeginBinaryImport(CopySql);
                for (long i = 0; i < rows; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var created = first + TimeSpan.FromTicks(spacingTicks * i);
                    var id = Guid.CreateVersion7(new DateTimeOffset(created, TimeSpan.Zero));
                    var type = (short)random.Next(10);
                    var value = (short)random.Next(100);
                    var backlogIndex = i - terminal;
                    SeededState state;
                    if (backlogIndex >= 0)
                    {
                        state = backlogIndex < processing ? SeededState.Processing : SeededState.Received;
                    }
                    else
                    {
                        var draw = random.NextDouble();
                        state = draw < FailedShare ? SeededState.Failed : draw < FailedShare + CanceledShare ? SeededState.Canceled : SeededState.Done;
                    }

                    importer.StartRow();
                    importer.Write(id, NpgsqlDbType.Uuid);
                    importer.Write(type, NpgsqlDbType.Smallint);
                    importer.Write(value, NpgsqlDbType.Smallint);
                    importer.Write(state);
                    switch (state)
                    {
                        case SeededState.Received:
                            importer.Write(0, NpgsqlDbType.Integer);
                            importer.WriteNull();
                            importer.WriteNull();
                            // Not yet due for the Producer's outbox sweep: the backlog stays as seeded while reads are timed.
                            importer.Write(leaseEnd, NpgsqlDbType.TimestampTz);
                            importer.WriteNull();
                            importer.Write(created, NpgsqlDbType.TimestampTz);
                            importer.Write(created, NpgsqlDbType.TimestampTz);
                            importer.WriteNull();
                            importer.WriteNull();
                            break;
                        case SeededState.Processing:
                            importer.Write(1, NpgsqlDbType.Integer);
                            importer.Write(SeedOwner, NpgsqlDbType.Text);
                            // Not expiring while reads are timed: no sweep moves them.
                            importer.Write(leaseEnd, NpgsqlDbType.TimestampTz);
                            importer.WriteNull();
                            importer.WriteNull();
                            importer.Write(created, NpgsqlDbType.TimestampTz);
                            importer.Write(created, NpgsqlDbType.TimestampTz);
                            importer.WriteNull();
                            importer.WriteNull();
                            break;
                        default:
                            var done = created + TimeSpan.FromTicks(random.Next(1, 100) * TimeSpan.TicksPerMillisecond);
                            // Done in creation order, so that event_seq, numbered in done order, also follows creation.
                            done = done > lastDone ? done : lastDone.AddTicks(10);
                            lastDone = done;
                            importer.Write(state == SeededState.Failed ? 3 : state == SeededState.Canceled ? 0 : 1, NpgsqlDbType.Integer);
                            importer.WriteNull();
                            importer.WriteNull();
                            importer.WriteNull();
                            if (state == SeededState.Failed)
                            {
                                importer.Write("simulated failure (benchmark seed)", NpgsqlDbType.Text);
                            }
                            else
                            {
                                importer.WriteNull();
                            }

                            importer.Write(created, NpgsqlDbType.TimestampTz);
                            importer.Write(done, NpgsqlDbType.TimestampTz);
                            importer.Write(done, NpgsqlDbType.TimestampTz);
                            importer.Write(seq++, NpgsqlDbType.Bigint);
                            if (i % sampleEvery == 0 && sampleIds.Count < SampleIdCount)
                            {
                                sampleIds.Add(id);
                            }

                            break;
                    }

                    counts[state.ToString().ToLowerInvariant()]++;
                    if (i % 100_000 == 0 && Stopwatch.GetElapsedTime(lastProgress) > TimeSpan.FromSeconds(10))
                    {
                        lastProgress = Stopwatch.GetTimestamp();
                        progress.WriteLine($"[reads] seeding: {i:N0} of {rows:N0} rows");
                    }
                }

                importer.Complete();
            },
            cancellationToken);

        if (terminal > 0)
        {
            await using var setval = new NpgsqlCommand("SELECT setval('task_event_seq', $1)", connection);
            setval.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq - 1 });
            await setval.ExecuteScalarAsync(cancellationToken);
        }

        return new SeedResult(counts, sampleIds, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
