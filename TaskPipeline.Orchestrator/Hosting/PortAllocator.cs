using System.Net;
using System.Net.Sockets;

namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// Free loopback ports, as Aspire's DCP picks them: bind port 0, read the port, release it. Another process can take
/// it before the child binds; callers retry on "address already in use". Ports already handed out in this process are
/// never handed out twice (several AppHosts can run in one test process).
/// </summary>
internal static class PortAllocator
{
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Gate)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("no free loopback port found");
    }

    /// <summary>Whether a child's output says its port was taken.</summary>
    public static bool IsConflict(string line) =>
        line.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
        || line.Contains("could not bind", StringComparison.OrdinalIgnoreCase);
}
