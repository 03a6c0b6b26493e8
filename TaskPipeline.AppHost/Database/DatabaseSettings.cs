using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.AppHost.Database;

/// <summary>The <c>TaskPipeline:Database</c> section.</summary>
internal sealed class DatabaseSettings
{
    public DatabaseMode Mode { get; set; } = DatabaseMode.Auto;

    /// <summary>Where the local server keeps its data and password; empty: a per-user default (README).</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Start the local server on an empty database: its state directory is deleted first.</summary>
    public bool Fresh { get; set; }

    /// <summary>The local server's loopback port; 0: a free one, picked at start.</summary>
    [Range(0, 65535, ErrorMessage = "must be 0 (a free port) or a port number up to 65535")]
    public int Port { get; set; }

    /// <summary>
    /// Put DCP's proxy in front of the local server (as Aspire does for containers). Off by default: every database
    /// byte would cross one more process, and the benchmark measured what that costs (README, Benchmark).
    /// </summary>
    public bool Proxied { get; set; }

    /// <summary>The local server's binaries (postgres, initdb); empty: found on PATH or under /usr/lib/postgresql.</summary>
    public string? BinDirectory { get; set; }
}
