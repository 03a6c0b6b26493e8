using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TaskPipeline.Benchmarks;

/// <summary>
/// Runs <see cref="ReferenceClient"/> against the run's own PostgreSQL once the pipeline's services are stopped, and
/// counts its CPU per task: the client process' own over its paced tasks, and PostgreSQL's over the same window.
/// </summary>
internal static class NaiveReference
{
    /// <summary>Clients, each with its one connection: enough to keep up with 1,000 tasks/s at three commits a task.</summary>
    public const int Clients = 4;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(1);

    public static async Task<ReferenceFigures> RunAsync(
        BenchmarkApp app, NpgsqlDataSource dataSource, double rate, long tasks, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await BenchmarkRunner.ExecuteAsync(dataSource, ReferenceClient.CreateTableSql, cancellationToken);
        // What the pipeline left for the background writer is written now, not during the reference's window.
        await BenchmarkRunner.ExecuteAsync(dataSource, "CHECKPOINT", cancellationToken);
        using var process = Process.Start(StartInfo(app.ConnectionString, rate, tasks))
            ?? throw new BenchmarkException("the reference client did not start");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var ready = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(ReadyTimeout, cancellationToken);
            if (ready != ReferenceClient.Ready)
            {
                throw new BenchmarkException($"the reference client did not get ready: {ready ?? "(no output)"} {await ErrorsSoFarAsync(process, errors)}");
            }

            var start = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
            await process.StandardInput.WriteLineAsync(ReferenceClient.Go);
            await process.StandardInput.FlushAsync(cancellationToken);
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken);
            var end = ResourceUsage.Sample(app.Processes(BenchmarkApp.PostgresResource));
            var result = ReferenceClientResult.Parse(line)
                ?? throw new BenchmarkException($"the reference client said {line ?? "nothing"} {await ErrorsSoFarAsync(process, errors)}");
            await process.WaitForExitAsync(cancellationToken);
            var postgres = end.CpuSince(start, BenchmarkApp.PostgresResource);
            return new ReferenceFigures(
                Math.Round((result.CpuMs + postgres.TotalMilliseconds) * 1000 / tasks, 1),
                new ReferenceLatency(result.LatencyP50Ms, result.LatencyP99Ms));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await BenchmarkRunner.ExecuteAsync(dataSource, $"DROP TABLE IF EXISTS {ReferenceClient.Table}", CancellationToken.None);
        }
    }

    private static ProcessStartInfo StartInfo(string connectionString, double rate, long tasks)
    {
        // This very program: through the dotnet host when it runs as a dll (dotnet run), else its own executable.
        var self = Environment.ProcessPath ?? throw new BenchmarkException("the benchmark's own path is unknown");
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ReferenceClient).Assembly.Location);
        }

        info.ArgumentList.Add(ReferenceClient.Command);
        info.ArgumentList.Add(rate.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(tasks.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(Clients.ToString(CultureInfo.InvariantCulture));
        // Not on the command line, where every process on the machine could read the password.
        info.Environment[ReferenceClient.ConnectionVariable] = connectionString;
        return info;
    }

    private static async Task<string> ErrorsSoFarAsync(Process process, Task<string> errors)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        return await errors;
    }
}
