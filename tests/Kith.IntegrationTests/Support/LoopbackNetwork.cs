using System.Net;
using System.Net.Sockets;

namespace Kith.IntegrationTests.Support;

/// <summary>Agents on 127.0.0.1, 127.0.0.2, 127.0.0.3 (all loopback on Linux) and one port free on all three.</summary>
internal sealed class LoopbackNetwork : IAgentNetwork
{
    public LoopbackNetwork(int agents)
    {
        Agents = agents;
        Port = PortFreeOnAll();
    }

    public int Agents { get; }

    public string Name => "loopback";

    public int Port { get; }

    public string Address(int index) => $"127.0.0.{index + 1}";

    public IReadOnlyList<string>? Launcher(int index) => null;

    public void Dispose()
    {
    }

    private int PortFreeOnAll()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = TestProcesses.FreeLoopbackPort();
            if (Enumerable.Range(0, Agents).All(i => IsFree(IPAddress.Parse(Address(i)), port)))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no port free on 127.0.0.1 … 127.0.0.{Agents} after 50 tries");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
