using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using TaskPipeline.AppHost.Restarts;
using TaskPipeline.Tests.Distributed;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>
/// A replica's log as Aspire keeps it (ResourceLoggerService.GetAllAsync), read when a test asks: first the notes the
/// AppHost itself wrote about the resource (Aspire's in-memory entries, such as "Waiting for resource 'postgres'…",
/// which GetAllAsync returns as its first batch) and DCP's (its "[sys] " lines about starting the process), then the
/// console output DCP captured from the process. Aspire puts a timestamp in front of every line; it is taken off, so
/// each line is what was written.
/// </summary>
internal sealed record ResourceLogs(IReadOnlyList<string> Notes, IReadOnlyList<string> Output)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    public static async Task<ResourceLogs> ReadAsync(DistributedPipeline pipeline, string resource, int replica = 0)
    {
        var id = pipeline.ReplicaId(resource, replica);
        var loggers = pipeline.App.Services.GetRequiredService<ResourceLoggerService>();
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var batches = new List<IReadOnlyList<LogLine>>();
        await foreach (var batch in loggers.GetAllAsync(id).WithCancellation(timeout.Token))
        {
            batches.Add(batch);
        }

        var notes = batches.Take(1).SelectMany(batch => batch).Select(line => ResourceLogText.WithoutTimestamp(line.Content)).ToList();
        var console = batches.Skip(1).SelectMany(batch => batch).Select(line => ResourceLogText.WithoutTimestamp(line.Content)).ToList();
        notes.AddRange(console.Where(IsDcpNote));
        return new ResourceLogs(notes, [.. console.Where(line => !IsDcpNote(line))]);
    }

    /// <summary>DCP's own lines in the console log ("[sys] Starting process...: Cmd = /usr/bin/dotnet, …").</summary>
    private static bool IsDcpNote(string line) => line.StartsWith("[sys] ", StringComparison.Ordinal);
}
