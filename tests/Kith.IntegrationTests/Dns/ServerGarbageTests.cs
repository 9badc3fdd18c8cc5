using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// 10,000 malformed datagrams sent to a real agent process (role dns) leave its memory flat and its answers
/// right: measured on the agent's own process, so nothing else running in the test host counts.
/// </summary>
public class ServerGarbageTests(ServerAgentFleet fleet) : IClassFixture<ServerAgentFleet>
{
    private const int Packets = 10_000;

    [Fact]
    public async Task TenThousandGarbagePacketsLeaveTheAgentAnsweringWithFlatMemory()
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, fleet.DnsPort);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(endpoint);
        var random = new Random(20261123);

        await SendGarbageAsync(sender, random, 2_000); // warm up: buffers and code paths exist before measuring
        var before = ResidentKib(fleet.Agent.Pid);
        await SendGarbageAsync(sender, random, Packets);
        var after = ResidentKib(fleet.Agent.Pid);
        var answer = await fleet.AskAsync("kdig", "music.home.arpa", "A");

        Assert.Matches(@"alpha\.home\.arpa\.\s+300\s+IN\s+A\s+127\.0\.0\.1", answer);
        Assert.True(after - before < 8 * 1024, $"the agent's resident memory grew by {after - before} KiB over {Packets} garbage packets\n{fleet.Agent.Log}");
    }

    private static async Task SendGarbageAsync(Socket sender, Random random, int count)
    {
        var sink = new byte[65535];
        for (var i = 0; i < count; i++)
        {
            sender.Send(Garbage(random, i));
            while (sender.Available > 0)
            {
                sender.Receive(sink);
            }

            if (i % 200 == 199)
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }
    }

    private static byte[] Garbage(Random random, int i)
    {
        var valid = Query(random.Next(2) == 0 ? "music.home.arpa" : "alpha.home.arpa", (ushort)random.Next(1, 40));
        switch (i % 5)
        {
            case 0: // random bytes
                var bytes = new byte[random.Next(0, 600)];
                random.NextBytes(bytes);
                return bytes;
            case 1: // a header cut short, or a question cut short
                return valid[..random.Next(0, valid.Length)];
            case 2: // a compression pointer to itself in the question name
                var loop = (byte[])valid.Clone();
                loop[12] = 0xC0;
                loop[13] = 12;
                return loop;
            case 3: // every section count at its maximum
                var counts = (byte[])valid.Clone();
                counts.AsSpan(4, 8).Fill(0xFF);
                return counts;
            default: // a valid query with one byte changed
                var flipped = (byte[])valid.Clone();
                flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                return flipped;
        }
    }

    /// <summary>A standard query (RD set) for one name and type, class IN.</summary>
    private static byte[] Query(string name, ushort type)
    {
        var message = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. message];
    }

    private static long ResidentKib(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
