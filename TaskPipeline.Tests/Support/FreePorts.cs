using System.Net;
using System.Net.Sockets;

namespace TaskPipeline.Tests.Support;

/// <summary>Free loopback ports for what a test starts itself; never the same one twice in this process.</summary>
internal static class FreePorts
{
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
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
}
