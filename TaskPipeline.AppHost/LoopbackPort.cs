using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TaskPipeline.AppHost;

/// <summary>
/// A free loopback port for a server the AppHost runs on a port of its own (PostgreSQL, Prometheus).
/// Picked below the kernel's ephemeral range: a port in that range that is free now can be taken by any outgoing
/// connection (every pool on the machine opens them) or by DCP's own picks before the server binds it a second later,
/// and the server then fails to start. Nothing takes a port below the range unless asked for it.
/// </summary>
internal static class LoopbackPort
{
    private const int LowestPort = 20_000;
    private const int Attempts = 100;

    public static int PickFree()
    {
        var belowEphemeral = EphemeralRangeStart() - 1;
        for (var attempt = 0; attempt < Attempts && belowEphemeral > LowestPort; attempt++)
        {
            var port = Random.Shared.Next(LowestPort, belowEphemeral + 1);
            if (IsFree(port))
            {
                return port;
            }
        }

        // Every pick was taken (or the range leaves no room below it): any free port, as the kernel gives one.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of Linux's ephemeral range (32768 when it cannot be read, the kernel's default).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
