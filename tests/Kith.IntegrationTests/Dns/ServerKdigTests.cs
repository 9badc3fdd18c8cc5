namespace Kith.IntegrationTests.Dns;

/// <summary>
/// The agent (role dns) answers kdig and dig on loopback as an authoritative server should
/// (docs/dns.md, "Serving"): flags, NXDOMAIN vs NODATA, CNAME chains, TCP, EDNS, truncation, REFUSED.
/// </summary>
public class ServerKdigTests(ServerAgentFleet fleet) : IClassFixture<ServerAgentFleet>
{
    [Fact]
    public async Task AMachineNameHasItsAddressWithTheAuthoritativeFlag()
    {
        var kdig = await fleet.AskAsync("kdig", "alpha.home.arpa", "A");

        Assert.Contains("status: NOERROR", kdig, StringComparison.Ordinal);
        Assert.Matches(@";; Flags: qr aa rd;", kdig);
        Assert.Matches(@"alpha\.home\.arpa\.\s+300\s+IN\s+A\s+127\.0\.0\.1", kdig);
    }

    [Fact]
    public async Task AnEndpointIsACnameChainToItsMachinesAddress()
    {
        var dig = await fleet.AskAsync("dig", "music.home.arpa", "A");

        Assert.Contains("status: NOERROR", dig, StringComparison.Ordinal);
        Assert.Matches(@"flags: qr aa rd;", dig);
        Assert.Matches(@"music\.home\.arpa\.\s+300\s+IN\s+CNAME\s+alpha\.home\.arpa\.", dig);
        Assert.Matches(@"alpha\.home\.arpa\.\s+300\s+IN\s+A\s+127\.0\.0\.1", dig);
    }

    [Fact]
    public async Task AMissingNameIsNxdomainWithTheSoa()
    {
        var kdig = await fleet.AskAsync("kdig", "nothing.home.arpa", "A");

        Assert.Contains("status: NXDOMAIN", kdig, StringComparison.Ordinal);
        Assert.Matches(@"AUTHORITY SECTION:\s+home\.arpa\.\s+60\s+IN\s+SOA\s+alpha\.home\.arpa\. hostmaster\.home\.arpa\. \d+ ", kdig);
    }

    [Fact]
    public async Task AnExistingNameWithoutTheTypeIsNodata()
    {
        var kdig = await fleet.AskAsync("kdig", "alpha.home.arpa", "TXT");

        Assert.Contains("status: NOERROR", kdig, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 0", kdig, StringComparison.Ordinal);
        Assert.Matches(@"AUTHORITY SECTION:\s+home\.arpa\.\s+60\s+IN\s+SOA\s", kdig);
    }

    [Fact]
    public async Task TcpAnswersToo()
    {
        var kdig = await fleet.AskAsync("kdig", "+tcp", "music.home.arpa", "A");

        Assert.Contains("TCP", kdig, StringComparison.Ordinal);
        Assert.Matches(@"alpha\.home\.arpa\.\s+300\s+IN\s+A\s+127\.0\.0\.1", kdig);
    }

    [Fact]
    public async Task EdnsIsAnsweredWithOurPayloadSizeAndAnUnknownVersionIsBadvers()
    {
        var edns = await fleet.AskAsync("kdig", "+bufsize=1232", "alpha.home.arpa", "A");
        Assert.Matches(@"EDNS PSEUDOSECTION:\s+;; Version: 0; flags: ; UDP size: 1232 B", edns);
        Assert.Contains("status: NOERROR", edns, StringComparison.Ordinal);

        var badvers = await fleet.AskAsync("kdig", "+edns=1", "alpha.home.arpa", "A");
        Assert.Contains("status: BADVERS", badvers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AZoneWeDoNotServeIsRefused()
    {
        var kdig = await fleet.AskAsync("kdig", "example.com", "A");

        Assert.Contains("status: REFUSED", kdig, StringComparison.Ordinal);
        Assert.DoesNotMatch(@";; Flags: [^;]*\baa\b", kdig);
    }

    [Fact]
    public async Task ABigAnswerIsTruncatedOverUdpWithoutEdnsAndWholeOverTcp()
    {
        var udp = await fleet.AskAsync("kdig", "+notcp", "+noedns", "+ignore", "big.home.arpa", "TXT");
        Assert.Matches(@";; Flags: qr aa tc rd;", udp);
        Assert.Contains("ANSWER: 0", udp, StringComparison.Ordinal);

        var tcp = await fleet.AskAsync("dig", "+tcp", "big.home.arpa", "TXT");
        Assert.Contains($"ANSWER: {ServerAgentFleet.BigTxtRecords},", tcp, StringComparison.Ordinal);
        Assert.Contains("\"3-" + new string('x', 200) + "\"", tcp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthzAndMetricsShowTheServer()
    {
        using var client = Support.AgentProcess.Client(fleet.Kith.RootCertificate, requireName: false);
        await fleet.AskAsync("kdig", "alpha.home.arpa", "A");

        var health = await client.GetStringAsync(new Uri(fleet.Agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken);
        var metrics = await client.GetStringAsync(new Uri(fleet.Agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken);

        Assert.Matches("\"dns\":\\{\"serving\":true,\"listen\":\\[\"127\\.0\\.0\\.1:" + fleet.DnsPort + "\"\\],\"zones\":1,\"serial\":[1-9]", health);
        Assert.Matches("kith_dns_queries_total\\{rcode=\"noerror\"\\} [1-9]", metrics);
    }
}
