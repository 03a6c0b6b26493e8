using System.Diagnostics;

namespace TaskPipeline.Tests.Distributed.Deploy.Containers;

/// <summary>
/// Runs an unpacked image's entrypoint the way a container runtime would, with no runtime installed: a private mount
/// namespace with /proc and /dev bound into the root file system, the image's root, working directory and user
/// (util-linux <c>unshare</c>), the image's environment plus the given variables. Needs root; shares the host's network.
/// </summary>
internal sealed class ContainerRun : IDisposable
{
    private const string Script = """
        root=$0; workdir=$1; user=$2; shift 2
        mount --bind /proc "$root/proc" && mount --bind /dev "$root/dev" &&
        exec unshare --root="$root" --wd="$workdir" --setuid="$user" --setgid="$user" -- "$@"
        """;

    private readonly Process _process;
    private readonly List<string> _output = [];

    private ContainerRun(Process process)
    {
        this._process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Whether this machine can: root, util-linux unshare, mount.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && UidOf("self") == 0 && File.Exists("/usr/bin/unshare") && File.Exists("/bin/mount");

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static ContainerRun Start(string root, string workingDirectory, string user, IEnumerable<string> entrypoint, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/usr/bin/unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--mount", "--fork", "--kill-child", "--", "/bin/sh", "-c", Script, root, workingDirectory, user })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in entrypoint)
        {
            start.ArgumentList.Add(argument);
        }

        // The image's environment only, as in a container; the host's PATH is not inherited.
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ContainerRun(Process.Start(start) ?? throw new InvalidOperationException("cannot start unshare"));
    }

    /// <summary>The user id of the entrypoint's process (the child of unshare's fork), from /proc.</summary>
    public int? EntrypointUid()
    {
        var children = $"/proc/{_process.Id}/task/{_process.Id}/children";
        if (!File.Exists(children) || File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is not { } child)
        {
            return null;
        }

        return UidOf(child);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    /// <summary>The effective user id of a process ("self" or a pid).</summary>
    private static int? UidOf(string process)
    {
        var uid = File.ReadLines($"/proc/{process}/status").FirstOrDefault(line => line.StartsWith("Uid:", StringComparison.Ordinal));
        return uid is null ? null : int.Parse(uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
