using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Revocation;

/// <summary>nginx staples the agent's OCSP answer for a certificate the agent issued (the leaf's AIA names the responder).</summary>
public class NginxStaplingTests
{
    [Fact]
    public async Task Nginx_staples_a_good_ocsp_answer_from_the_agent_that_openssl_s_client_verifies()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var ops = fleet.Endpoint("ops");
        var trusted = fleet.Kith.Write("stapling-trust.pem", File.ReadAllText(fleet.Kith.RootCertificate) + File.ReadAllText(fleet.HostCaPem));
        using var nginx = await NginxServer.StartAsync(fleet.Kith.File("nginx"), $"""
                    server_name ops.home.arpa;
                    ssl_certificate {Path.Combine(ops, "fullchain.pem")};
                    ssl_certificate_key {Path.Combine(ops, "key.pem")};
                    ssl_stapling on;
                    ssl_stapling_verify on;
                    ssl_trusted_certificate {trusted};
                    ssl_stapling_responder http://127.0.0.1:{fleet.CrlPort}/ocsp;
                    location / {"{"} return 200 "hello\n"; {"}"}
            """);

        // nginx fetches the answer after the first handshake that asks for it; later handshakes carry it.
        var output = "";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            output = SClientStatus(fleet, nginx.Port);
            if (output.Contains("Cert Status: good", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(300, TestContext.Current.CancellationToken);
        }

        Assert.True(output.Contains("OCSP Response Status: successful", StringComparison.Ordinal), $"{output}\n{nginx.Log}");
        Assert.Contains("Cert Status: good", output, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("OCSP response: no response sent", output, StringComparison.Ordinal);
    }

    private static string SClientStatus(RevocationFleet fleet, int port) =>
        Openssl.Run("s_client", "-connect", $"127.0.0.1:{port}", "-servername", "ops.home.arpa", "-status", "-CAfile", fleet.Kith.RootCertificate).Output;
}
