using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kith.IntegrationTests.Support;

/// <summary>What every server a test starts needs: a free loopback port, a wait for it to listen, and a kill that leaves nothing behind.</summary>
internal static class TestProcesses
{
    private const int LowestPort = 20000;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly int PortsEnd = EphemeralRangeStart();

    /// <summary>
    /// A loopback port free for TCP and UDP, never handed out twice in this process. It comes from below the kernel's
    /// ephemeral range: a port there can be taken by any outgoing connection between this check and the server's bind,
    /// which once made certbot fail with "Address already in use".
    /// </summary>
    public static int FreeLoopbackPort()
    {
        if (PortsEnd <= LowestPort)
        {
            return AnyFreePort();
        }

        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 4000; attempt++)
            {
                var port = Random.Shared.Next(LowestPort, PortsEnd);
                if (HandedOut.Add(port) && IsFree(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port between {LowestPort} and {PortsEnd}");
    }

    /// <summary>
    /// Waits until <paramref name="port"/> on 127.0.0.1 accepts a connection from the server <paramref name="process"/>
    /// just started. When the process exits first or the wait times out, kills it, disposes <paramref name="owner"/>
    /// and throws with its exit code and <paramref name="log"/>.
    /// </summary>
    public static async Task WaitForLoopbackPortAsync(Process process, int port, TimeSpan timeout, Func<string> log, IDisposable owner)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(owner);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                var message = $"{process.StartInfo.FileName} exited with {process.ExitCode}\n{log()}";
                owner.Dispose();
                throw new InvalidOperationException(message);
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                owner.Dispose();
                throw;
            }
        }
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

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
