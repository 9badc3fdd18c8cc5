using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using static Kith.Tests.Dns.ServerQueries;

namespace Kith.Tests.Dns;

/// <summary>
/// A bounded fuzz loop over real UDP: random bytes, cut headers, compression pointer loops, huge counts and
/// mutated valid queries never stop the server. (Memory is measured on a real agent process, where nothing else
/// counts: ServerGarbageTests in the integration tests.)
/// </summary>
public class ServerFuzzTests
{
    private const int Packets = 10_000;

    [Fact]
    public async Task TenThousandGarbagePacketsLeaveTheServerAnswering()
    {
        await using var server = await ServerSocketTests.StartAsync();
        var endpoint = server.BoundEndpoints.Single();
        var random = new Random(20261123);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(endpoint);
        sender.ReceiveBufferSize = 1 << 16;

        await SendAsync(sender, random, 1_000); // warm up: the buffers and code paths exist before measuring
        var answeredBefore = server.Counters.Total + server.Counters.Dropped;
        await SendAsync(sender, random, Packets);
        var reply = await ServerSocketTests.UdpAskAsync(endpoint, Query("storage.home.arpa", (ushort)RecordType.A));

        Assert.Equal(IPAddress.Parse("100.64.0.10"), Assert.IsType<ARecord>(Assert.Single(reply.AnswerRecords)).Address);
        Assert.True(server.Counters.Total + server.Counters.Dropped - answeredBefore > Packets / 2, "most garbage should have reached the server");
    }

    private static async Task SendAsync(Socket sender, Random random, int count)
    {
        var sink = new byte[65535];
        for (var i = 0; i < count; i++)
        {
            sender.Send(Garbage(random, i));
            // Read what came back so replies do not pile up; pause now and then so the server keeps up.
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
        var valid = Query(random.Next(3) switch { 0 => "storage.home.arpa", 1 => "x.apps.home.arpa", _ => "big.home.arpa" }, (ushort)random.Next(1, 40), ednsSize: random.Next(2) == 0 ? (ushort)1232 : null);
        switch (i % 6)
        {
            case 0: // random bytes
                var bytes = new byte[random.Next(0, 600)];
                random.NextBytes(bytes);
                return bytes;
            case 1: // a header cut short, or just the header
                return valid[..random.Next(0, Math.Min(valid.Length, 20))];
            case 2: // a compression pointer loop in the question name
                var loop = (byte[])valid.Clone();
                loop[12] = 0xC0;
                loop[13] = 12;
                return loop;
            case 3: // huge section counts
                var counts = (byte[])valid.Clone();
                for (var b = 4; b < 12; b++)
                {
                    counts[b] = 0xFF;
                }

                return counts;
            case 4: // a few bits flipped
                var mutated = (byte[])valid.Clone();
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                }

                return mutated;
            default: // an OPT pointing past the end, labels longer than the message
                var cut = (byte[])valid.Clone();
                cut[10] = 0;
                cut[11] = 3;
                cut[12] = 63;
                return cut;
        }
    }
}
