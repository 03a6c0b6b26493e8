using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// PostgreSQL in a container, the fallback when no server binaries are installed: the image and settings Aspire's
/// PostgreSQL resource uses, the data in a bind-mounted directory of the AppHost's state.
/// </summary>
internal sealed record PostgresContainer(string Runtime)
{
    public const string Image = "docker.io/library/postgres:17";

    /// <summary>The port the server listens on inside the container.</summary>
    public const int Port = 5432;

    /// <summary>Where the image keeps its data (the volume's mount point).</summary>
    public const string DataDirectory = "/var/lib/postgresql/data";

    public const string User = "postgres";

    /// <summary>The image's variable for the superuser's password (set at initialisation only).</summary>
    public const string PasswordVariable = "POSTGRES_PASSWORD";

    /// <summary>
    /// The server's settings besides the password, as Aspire's PostgreSQL resource sets them; the deployment publishers
    /// write the same ones, so a deployed server is initialised like the one the AppHost runs.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Settings =
    [
        new("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256"),
        new("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256"),
        new("POSTGRES_USER", User),
    ];

    /// <summary>docker or podman, whichever answers <c>info</c> (a client without a daemon does not count).</summary>
    public static PostgresContainer? Find()
    {
        foreach (var name in new[] { "docker", "podman" })
        {
            if (Executables.Find(name) is { } runtime && Answers(runtime))
            {
                return new PostgresContainer(runtime);
            }
        }

        return null;
    }

    /// <summary>One container per state directory, so a run can remove what a killed run left behind.</summary>
    public static string ContainerName(string stateDirectory) =>
        "taskpipeline-postgres-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stateDirectory)))[..12];

    public ProcessStartInfo Run(string name, int port, string dataDirectory, string password)
    {
        var startInfo = new ProcessStartInfo(Runtime)
        {
            ArgumentList =
            {
                "run", "--rm", "--name", name,
                "--publish", $"127.0.0.1:{port}:{Port}",
                "--volume", $"{dataDirectory}:{DataDirectory}",
                // Named without a value: the client passes its own variable, so the password stays out of `ps`.
                "--env", PasswordVariable,
            },
        };
        foreach (var (variable, value) in Settings)
        {
            startInfo.ArgumentList.Add("--env");
            startInfo.ArgumentList.Add($"{variable}={value}");
        }

        startInfo.ArgumentList.Add(Image);
        startInfo.Environment[PasswordVariable] = password;
        return startInfo;
    }

    /// <summary>Stops (the image's stop signal is SIGINT: fast shutdown) and removes the container; no error when absent.</summary>
    public async Task RemoveAsync(string name, TimeSpan grace, CancellationToken cancellationToken)
    {
        await RunQuietlyAsync(["stop", "--time", ((int)grace.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), name], grace + TimeSpan.FromSeconds(10), cancellationToken);
        await RunQuietlyAsync(["rm", "--force", name], TimeSpan.FromSeconds(30), cancellationToken);
    }

    private static bool Answers(string runtime)
    {
        using var process = Process.Start(new ProcessStartInfo(runtime, "info")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        });
        if (process is null)
        {
            return false;
        }

        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            return false;
        }

        return process.ExitCode == 0;
    }

    private async Task RunQuietlyAsync(string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(Runtime, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {Runtime}");
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            await output;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
