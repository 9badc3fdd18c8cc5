using System.Globalization;
using Kith.IntegrationTests.Dns;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Doctor;

/// <summary>
/// <c>kith doctor</c> against a real fleet DNS: alpha's agent (role dns) serving the zones on loopback, with
/// service music on alpha; the agent's /healthz says whether it issued music's certificate.
/// </summary>
public class DoctorDnsTests(ServerAgentFleet fleet) : IClassFixture<ServerAgentFleet>
{
    [Fact]
    public async Task ANameMissingFromTheFleetDnsAndTheInventoryIsAMissingRecordToAdd()
    {
        var result = await DoctorAsync("nothere.home.arpa");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"(?m)^  fleet-dns\s+FAIL\s+127\.0\.0\.1:\d+ answers NXDOMAIN", result.Out);
        Assert.Contains("nothere.home.arpa (no service)", result.Out, StringComparison.Ordinal);
        Assert.Contains($"cause: missing DNS record: nothere.home.arpa is not in the inventory (no service lists it), so the fleet DNS has no record for it and no agent issues a certificate for it: add it to a service's endpoints in {fleet.Kith.Inventory}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEndpointTheFleetDnsKnowsWhoseProxyHasNoCertificateNamesTheAgentThatIssuedIt()
    {
        var certificate = Path.Combine(fleet.Kith.File("files"), "var", "lib", "acme", "music", "fullchain.pem");
        await AgentEnrollment.WaitAsync(() => File.Exists(certificate), fleet.Agent);
        using var nginx = await NginxServer.StartAsync(fleet.Kith.File("nginx-doctor"), "ssl_reject_handshake on;");

        var result = await DoctorAsync("music.home.arpa", "--port", nginx.Port.ToString(CultureInfo.InvariantCulture), "--agent", $"alpha={fleet.Agent.BaseAddress}");

        Assert.True(result.ExitCode == 1, $"{result}\n{fleet.Agent.Log}");
        Assert.Matches(@"(?m)^  fleet-dns\s+ok\s+127\.0\.0\.1 \(from 127\.0\.0\.1:\d+\)", result.Out);
        Assert.Matches(@"(?m)^  tcp\s+ok\s+connected to 127\.0\.0\.1:", result.Out);
        Assert.Contains("cause: no certificate for music.home.arpa", result.Out, StringComparison.Ordinal);
        Assert.Contains("the agent on alpha should have issued it for service music, and it did (valid until ", result.Out, StringComparison.Ordinal);
        Assert.Contains("/var/lib/acme/music): the proxy does not serve it", result.Out, StringComparison.Ordinal);
    }

    private Task<CliResult> DoctorAsync(params string[] args) => CliProcess.RunAsync(
        null,
        ["doctor", .. args, "--dns-server", $"127.0.0.1:{fleet.DnsPort}", "--state", fleet.Kith.State, "-f", fleet.Kith.Inventory, "--timeout", "3"]);
}
