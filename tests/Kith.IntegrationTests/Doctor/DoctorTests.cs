using System.Globalization;
using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Doctor;

/// <summary>
/// <c>kith doctor</c> as a process against real TLS servers on loopback (openssl s_server, nginx), with a Root,
/// Host CA and leaves made by <c>kith init</c> and <c>kith apply</c>: each broken setup gets its cause in words.
/// </summary>
public class DoctorTests(DoctorFleet fleet) : IClassFixture<DoctorFleet>
{
    [Fact]
    public async Task TheRightCertificatePassesEveryTlsCheckAndExitsZero()
    {
        using var server = await AlpnTlsServer.StartAsync(fleet.ServiceFolder("web"));

        var result = await fleet.DoctorAsync("web.home.arpa", "--connect", "127.0.0.1", "--port", Port(server.Port));

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var check in new[] { "tcp", "tls", "chain", "name", "expiry", "alpn" })
        {
            Assert.Matches($@"(?m)^  {check}\s+ok\s", result.Out);
        }

        Assert.Contains("chains to the kith Root", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("cause:", result.Out, StringComparison.Ordinal);
        Assert.Contains("1 endpoint(s): 1 ok", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredCertificateNamesWhenItExpiredAndTheAgentThatShouldHaveRenewedIt()
    {
        var notAfter = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero);
        var folder = fleet.WriteLeaf("expired", "web.home.arpa", notAfter.AddDays(-7), notAfter);
        using var server = await AlpnTlsServer.StartAsync(folder);

        var result = await fleet.DoctorAsync("web.home.arpa", "--connect", "127.0.0.1", "--port", Port(server.Port));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"(?m)^  expiry\s+FAIL\s", result.Out);
        Assert.Matches(@"(?m)^  chain\s+ok\s", result.Out);
        var expired = notAfter.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Contains($"cause: expired certificate: the certificate for web.home.arpa expired {expired} (2 day(s) ago)", result.Out, StringComparison.Ordinal);
        Assert.Contains("alpha has no enrolled agent", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACertificateForAnotherNameIsAWrongNameAndSaysWhoseNamesItHas()
    {
        using var server = await AlpnTlsServer.StartAsync(fleet.ServiceFolder("other"));

        var result = await fleet.DoctorAsync("web.home.arpa", "--connect", "127.0.0.1", "--port", Port(server.Port));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"(?m)^  name\s+FAIL\s+web\.home\.arpa is not among other\.home\.arpa", result.Out);
        Assert.Contains("cause: wrong name: the certificate served for web.home.arpa names other.home.arpa (those are the names of service other on alpha)", result.Out, StringComparison.Ordinal);
        Assert.Contains("web.home.arpa belongs to service web on alpha", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASelfSignedCertificateIsAnUntrustedIssuer()
    {
        using var server = await AlpnTlsServer.StartAsync(fleet.WriteSelfSigned("self-signed", "web.home.arpa"));

        var result = await fleet.DoctorAsync("web.home.arpa", "--connect", "127.0.0.1", "--port", Port(server.Port));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"(?m)^  chain\s+FAIL\s+self-signed", result.Out);
        Assert.Contains("cause: untrusted issuer: the server presents a self-signed certificate (subject CN=web.home.arpa), not one issued under the kith Root", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  name\s+ok\s", result.Out);
    }

    [Fact]
    public async Task NginxRejectingTheHandshakeMeansNoCertificateForTheNameAndTheUnreachableAgentIsSaidPlainly()
    {
        using var nginx = await NginxServer.StartAsync(fleet.Kith.File("nginx-reject"), "ssl_reject_handshake on;");
        var agentPort = TestProcesses.FreeLoopbackPort();

        var result = await fleet.DoctorAsync("web.home.arpa", "--connect", "127.0.0.1", "--port", Port(nginx.Port), "--agent", $"alpha=https://127.0.0.1:{agentPort}");

        Assert.True(result.ExitCode == 1, $"{result}\n{nginx.Log}");
        Assert.Matches(@"(?m)^  tls\s+FAIL\s+the server answered with the TLS alert ""unrecognized name""", result.Out);
        Assert.Contains($"cause: no certificate for web.home.arpa: the server at 127.0.0.1:{nginx.Port} answered the TLS handshake for web.home.arpa", result.Out, StringComparison.Ordinal);
        Assert.Contains("the agent on alpha should have issued it for service web; whether it did is unknown: its agent at https://alpha.home.arpa:", result.Out, StringComparison.Ordinal);
        Assert.Contains("is unreachable", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListeningIsConnectionRefused()
    {
        var port = TestProcesses.FreeLoopbackPort();

        var result = await fleet.DoctorAsync("web.home.arpa", "--connect", "127.0.0.1", "--port", Port(port));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cause: connection refused: nothing listens on 127.0.0.1:{port}: is the proxy (nginx or caddy) on alpha running", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonHasEveryEndpointEveryCheckAndTheCauses()
    {
        using var server = await AlpnTlsServer.StartAsync(fleet.ServiceFolder("web"));

        var result = await fleet.DoctorAsync("--json", "--connect", "127.0.0.1", "--port", Port(server.Port));

        Assert.True(result.ExitCode == 1, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        var endpoints = json.RootElement.GetProperty("endpoints").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(["web.home.arpa", "other.home.arpa"], endpoints.Keys);
        Assert.True(endpoints["web.home.arpa"].GetProperty("ok").GetBoolean());
        Assert.Equal("web", endpoints["web.home.arpa"].GetProperty("service").GetString());
        var checks = endpoints["web.home.arpa"].GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("check").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(["fleet-dns", "resolver", "tcp", "tls", "chain", "name", "expiry", "ocsp", "alpn"], checks.Keys);
        Assert.Equal("ok", checks["chain"]);
        var other = endpoints["other.home.arpa"];
        Assert.False(other.GetProperty("ok").GetBoolean());
        Assert.Equal("alpha", other.GetProperty("machine").GetString());
        var cause = Assert.Single(other.GetProperty("causes").EnumerateArray()).GetString();
        Assert.StartsWith("wrong name: the certificate served for other.home.arpa names web.home.arpa", cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedOptionIsAUsageError()
    {
        var result = await fleet.DoctorAsync("--dns-server", "ns.home.arpa");

        CliRun.AssertUsageError(result, "--dns-server", "ADDR:PORT");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
