using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TaskPipeline.AppHost;

namespace TaskPipeline.Tests.Unit.AppHost;

public sealed class LoopbackPortTests
{
    [Fact]
    public void PicksAFreePortBelowTheEphemeralRangeSoNoOutgoingConnectionCanTakeItFirst()
    {
        var ephemeralStart = int.Parse(
            File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0],
            CultureInfo.InvariantCulture);

        for (var i = 0; i < 20; i++)
        {
            var port = LoopbackPort.PickFree();

            Assert.InRange(port, 20_000, ephemeralStart - 1);
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
