using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Kith.Dns.Server;
using Microsoft.Extensions.Logging.Abstractions;
using static Kith.Tests.Dns.ServerQueries;

namespace Kith.Tests.Dns;

/// <summary>The server over real UDP and TCP sockets on loopback.</summary>
public class ServerSocketTests
{
    [Fact]
    public async Task UdpAndTcpAnswerAndALoadIsSeenByTheNextQuery()
    {
        await using var server = await StartAsync();
        var endpoint = server.BoundEndpoints.Single();
        Assert.NotEqual(0, endpoint.Port);

        var udp = await UdpAskAsync(endpoint, Query("storage.home.arpa", (ushort)RecordType.A));
        Assert.Equal(IPAddress.Parse("100.64.0.10"), Assert.IsType<ARecord>(Assert.Single(udp.AnswerRecords)).Address);

        server.Load(ServerTestZones.Home(serial: 8, extra: [new("new.home.arpa", "A", 300, "100.64.0.99")]));
        var soa = await UdpAskAsync(endpoint, Query("home.arpa", (ushort)RecordType.Soa));
        Assert.Equal(8u, Assert.IsType<SoaRecord>(Assert.Single(soa.AnswerRecords)).SerialNumber);
        Assert.Equal(8, server.Serial);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var first = await TcpAskAsync(stream, Query("new.home.arpa", (ushort)RecordType.A, id: 1));
        var second = await TcpAskAsync(stream, Query("big.home.arpa", (ushort)RecordType.Txt, id: 2));
        Assert.Equal((1, IPAddress.Parse("100.64.0.99")), (first.TransactionID, Assert.IsType<ARecord>(Assert.Single(first.AnswerRecords)).Address));
        Assert.Equal((2, 10), (second.TransactionID, second.AnswerRecords.Count));
        Assert.True(server.Counters.Total >= 4);
    }

    [Fact]
    public async Task ATakenPortIsOneClearError()
    {
        await using var first = await StartAsync();
        var taken = first.BoundEndpoints.Single();
        await using var second = new FleetDnsServer(new DnsServerOptions { Listen = [taken] }, NullLogger.Instance);

        var error = await Assert.ThrowsAsync<KithException>(() => second.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal($"dns_listen {taken}: UDP port {taken.Port} is taken by another program (another DNS server, or systemd-resolved's stub on port 53?); stop it or give dns_listen another address", error.Message);
    }

    [Fact]
    public async Task AnIdleTcpConnectionIsClosed()
    {
        await using var server = await StartAsync(new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Loopback, 0)], TcpIdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BoundEndpoints.Single(), TestContext.Current.CancellationToken);

        var buffer = new byte[1];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await tcp.GetStream().ReadAsync(buffer, limit.Token);

        Assert.Equal(0, read); // closed by the server, long before the test's own limit
    }

    internal static async Task<FleetDnsServer> StartAsync(DnsServerOptions? options = null)
    {
        var server = new FleetDnsServer(options ?? new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Loopback, 0)] }, NullLogger.Instance);
        server.Load(ServerTestZones.Home());
        await server.StartAsync(TestContext.Current.CancellationToken);
        return server;
    }

    internal static async Task<DnsMessage> UdpAskAsync(IPEndPoint endpoint, byte[] query)
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(endpoint);
        await client.SendAsync(query, TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        var result = await client.ReceiveAsync(limit.Token);
        return DnsMessage.Parse(new ArraySegment<byte>(result.Buffer));
    }

    private static async Task<DnsMessage> TcpAskAsync(NetworkStream stream, byte[] query)
    {
        await stream.WriteAsync(new byte[] { (byte)(query.Length >> 8), (byte)query.Length }, TestContext.Current.CancellationToken);
        await stream.WriteAsync(query, TestContext.Current.CancellationToken);
        var prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix, TestContext.Current.CancellationToken);
        var body = new byte[(prefix[0] << 8) | prefix[1]];
        await stream.ReadExactlyAsync(body, TestContext.Current.CancellationToken);
        return DnsMessage.Parse(new ArraySegment<byte>(body));
    }
}
