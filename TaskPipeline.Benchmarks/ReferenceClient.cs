using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// The naive design the pipeline's cost is compared with (<c>steady</c>'s reference): one row per task,
/// <c>INSERT … 'received'</c>, <c>UPDATE … 'processing'</c>, <c>UPDATE … 'done'</c>, each its own commit, one connection
/// per client, prepared statements, paced at the run's rate, no added waits. It runs as a process of its own
/// (<c>TaskPipeline.Benchmarks reference-client &lt;rate&gt; &lt;tasks&gt; &lt;clients&gt;</c>, the connection string in
/// <see cref="ConnectionVariable"/>), so that its CPU is its own and not the in-process AppHost's: it opens its
/// connections and warms up, says <c>ready</c>, waits for <c>go</c> on its input, and then counts its CPU from the first
/// paced task to the last and prints one line, <see cref="ReferenceClientResult"/> in invariant text.
/// </summary>
internal static class ReferenceClient
{
    public const string Command = "reference-client";
    public const string ConnectionVariable = "TASKPIPELINE_REFERENCE_CONNECTION";
    public const string Table = "reference_tasks";
    public const string Ready = "ready";
    public const string Go = "go";

    /// <summary>The simplest table the lifecycle needs: a key, the task, its state, when it changed.</summary>
    public const string CreateTableSql = $"""
        DROP TABLE IF EXISTS {Table};
        CREATE TABLE {Table} (
            id         uuid        PRIMARY KEY,
            type       smallint    NOT NULL,
            value      smallint    NOT NULL,
            state      text        NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now())
        """;

    /// <summary>Tasks each client runs before it says ready: the statements prepared and this process' code compiled.</summary>
    private const int WarmupTasksPerClient = 20;

    private const string InsertSql = $"INSERT INTO {Table} (id, type, value, state) VALUES ($1, $2, $3, 'received')";
    private const string ProcessingSql = $"UPDATE {Table} SET state = 'processing', updated_at = now() WHERE id = $1 AND state = 'received'";
    private const string DoneSql = $"UPDATE {Table} SET state = 'done', updated_at = now() WHERE id = $1 AND state = 'processing'";

    public static async Task<int> RunAsync(string[] args)
    {
        var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
        var tasks = int.Parse(args[2], CultureInfo.InvariantCulture);
        var clientCount = int.Parse(args[3], CultureInfo.InvariantCulture);
        var connectionString = Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? throw new InvalidOperationException($"{ConnectionVariable} is not set");

        var clients = new List<Client>(clientCount);
        try
        {
            for (var i = 0; i < clientCount; i++)
            {
                clients.Add(await Client.OpenAsync(connectionString));
            }

            foreach (var client in clients)
            {
                for (var i = 0; i < WarmupTasksPerClient; i++)
                {
                    await client.RunTaskAsync((short)(i % 10), (short)(i % 100));
                }
            }

            await Console.Out.WriteLineAsync(Ready);
            await Console.Out.FlushAsync();
            if (await Console.In.ReadLineAsync() != Go)
            {
                return 1;
            }

            var latencies = new double[tasks];
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            await Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
            {
                for (var task = index; task < tasks; task += clientCount)
                {
                    // Task i is due i / rate seconds after the start; a client that falls behind runs it at once.
                    var due = start + (long)(task / rate * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }

                    await client.RunTaskAsync((short)(task % 10), (short)(task % 100));
                    latencies[task] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                }
            })));
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var result = new ReferenceClientResult(cpu.TotalMilliseconds, Percentiles.Of(latencies, 0.50), Percentiles.Of(latencies, 0.99));
            await Console.Out.WriteLineAsync(result.ToLine());
            return 0;
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>One connection and its three prepared statements.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _insert;
        private readonly NpgsqlCommand _processing;
        private readonly NpgsqlCommand _done;

        private Client(NpgsqlConnection connection)
        {
            _connection = connection;
            _insert = new NpgsqlCommand(InsertSql, connection)
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid },
                    new NpgsqlParameter<short> { NpgsqlDbType = NpgsqlDbType.Smallint },
                    new NpgsqlParameter<short> { NpgsqlDbType = NpgsqlDbType.Smallint },
                },
            };
            _processing = new NpgsqlCommand(ProcessingSql, connection) { Parameters = { new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid } } };
            _done = new NpgsqlCommand(DoneSql, connection) { Parameters = { new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid } } };
        }

        public static async Task<Client> OpenAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var client = new Client(connection);
            await client._insert.PrepareAsync();
            await client._processing.PrepareAsync();
            await client._done.PrepareAsync();
            return client;
        }

        public async Task RunTaskAsync(short type, short value)
        {
            var id = Guid.CreateVersion7();
            ((NpgsqlParameter<Guid>)_insert.Parameters[0]).TypedValue = id;
            ((NpgsqlParameter<short>)_insert.Parameters[1]).TypedValue = type;
            ((NpgsqlParameter<short>)_insert.Parameters[2]).TypedValue = value;
            await _insert.ExecuteNonQueryAsync();
            ((NpgsqlParameter<Guid>)_processing.Parameters[0]).TypedValue = id;
            await _processing.ExecuteNonQueryAsync();
            ((NpgsqlParameter<Guid>)_done.Parameters[0]).TypedValue = id;
            await _done.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _processing.DisposeAsync();
            await _done.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
