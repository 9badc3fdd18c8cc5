using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Kith.Agent;
using Kith.Fleet;
using Microsoft.Extensions.Logging.Abstractions;
using static Kith.Tests.Dns.ServerQueries;

namespace Kith.Tests.Dns;

/// <summary>The agent's DNS part: serving follows the role in the state, and a taken port is an error, not a crash.</summary>
public class ServerAgentDnsTests
{
    [Fact]
    public async Task ServingFollowsTheDnsRoleAndATakenPortIsReportedNotThrown()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var taken = (IPEndPoint)squatter.LocalEndPoint!;
        var options = new AgentOptions("alpha", "/nonexistent", [new IPEndPoint(IPAddress.Loopback, 8555)], TimeSpan.FromDays(7)) { DnsListen = [taken] };
        await using var dns = new AgentDns(options, "alpha", NullLogger.Instance);

        dns.Apply(State(1, roles: ["dns"]));
        var failed = dns.Health();
        Assert.False(failed.Serving);
        Assert.StartsWith($"dns_listen {taken}: UDP port {taken.Port} is taken", failed.Error, StringComparison.Ordinal);

        squatter.Close();
        dns.Apply(State(2, roles: ["dns"]));
        var serving = dns.Health();
        Assert.True(serving.Serving, serving.Error);
        Assert.Equal(2, serving.Serial);
        var answer = await ServerSocketTests.UdpAskAsync(taken, Query("alpha.home.arpa", (ushort)RecordType.A));
        Assert.Equal(IPAddress.Parse("127.0.0.1"), Assert.IsType<ARecord>(Assert.Single(answer.AnswerRecords)).Address);

        dns.Apply(State(3, roles: []));
        Assert.False(dns.Health().Serving);
        Assert.Null(dns.Health().Error);
    }

    private static FleetState State(long version, IReadOnlyList<string> roles) => new(
        version,
        "home.arpa",
        DateTimeOffset.UtcNow,
        [new FleetMachine("alpha", ["127.0.0.1"], roles, [], [])],
        [new FleetDnsRecord("alpha.home.arpa", "A", "127.0.0.1")],
        [],
        null,
        string.Empty);
}
