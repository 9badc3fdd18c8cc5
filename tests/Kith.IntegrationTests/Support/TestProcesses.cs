using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kith.IntegrationTests.Support;

/// <summary>What every server a test starts needs: a free loopback port, and a kill that leaves nothing behind.</summary>
internal static class TestProcesses
{
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the process and its children if still running (bounded wait), then disposes it.</summary>
    public static void KillAndDispose(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }
}
