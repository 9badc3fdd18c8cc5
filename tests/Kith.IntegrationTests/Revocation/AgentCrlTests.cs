using System.Net;
using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Revocation;

/// <summary>
/// The agent's CRL as clients see it: downloaded over plain HTTP, checked by openssl verify -crl_check_all and
/// by nginx verifying client certificates, after `kith revoke --dir` on the machine.
/// </summary>
public class AgentCrlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_certificate_revoked_on_the_machine_is_rejected_by_openssl_verify_with_the_downloaded_crls_and_another_is_accepted()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var revokedSerial = RevocationFleet.SerialOf(fleet.Cert("app"));
        var (_, leafText) = Openssl.Run("x509", "-in", fleet.Cert("app"), "-noout", "-text");
        Assert.Contains("URI:http://alpha.home.arpa:8580/crl/alpha.crl", leafText, StringComparison.Ordinal);
        Assert.Contains("OCSP - URI:http://alpha.home.arpa:8580/ocsp", leafText, StringComparison.Ordinal);

        var revoke = await CliRun.RunAsync("revoke", "--name", "APP.home.arpa", "--reason", "KeyCompromise", "--dir", fleet.AgentFolder);

        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Matches($@"^revoked {revokedSerial.ToLowerInvariant()}  app\.home\.arpa  keyCompromise; key blocked\s*$", revoke.Out);
        var hostCrl = await fleet.WaitForRevokedAsync(revokedSerial);
        var text = fleet.CrlText(hostCrl);
        Assert.Matches($@"Serial Number: {revokedSerial}\s+Revocation Date: .*\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise", text);
        Assert.DoesNotContain($"Serial Number: {RevocationFleet.SerialOf(fleet.Cert("ops"))}", text, StringComparison.Ordinal);

        var hostCrlPem = fleet.Kith.Write("host.crl.pem", RevocationFleet.Pem(hostCrl));
        var rootCrlPem = fleet.Kith.Write("root.crl.pem", RevocationFleet.Pem(fleet.SignRootCrl()));
        string[] crls = ["-crl_check_all", "-CRLfile", hostCrlPem, "-CRLfile", rootCrlPem];
        var revoked = Openssl.Verify(fleet.Kith.RootCertificate, fleet.HostCaPem, fleet.Cert("app"), crls);
        var valid = Openssl.Verify(fleet.Kith.RootCertificate, fleet.HostCaPem, fleet.Cert("ops"), crls);
        var withoutRootCrl = Openssl.Verify(fleet.Kith.RootCertificate, fleet.HostCaPem, fleet.Cert("ops"), "-crl_check_all", "-CRLfile", hostCrlPem);

        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.Output, StringComparison.Ordinal);
        Assert.True(valid.ExitCode == 0, valid.Output);
        // The check is real: without the Root's CRL, openssl cannot vouch for the Host CA.
        Assert.Contains("unable to get certificate CRL", withoutRootCrl.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nginx_verifying_client_certificates_with_the_crls_refuses_a_revoked_one_and_accepts_a_valid_one()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var revokedSerial = RevocationFleet.SerialOf(fleet.Cert("app"));
        var revoke = await CliRun.RunAsync("revoke", RevocationFleet.SerialOf(fleet.Cert("app")), "--reason", "superseded", "--dir", fleet.AgentFolder);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        var hostCrl = await fleet.WaitForRevokedAsync(revokedSerial);
        var crlFile = fleet.Kith.Write("crls.pem", RevocationFleet.Pem(hostCrl) + RevocationFleet.Pem(fleet.SignRootCrl()));
        var ops = fleet.Endpoint("ops");
        using var nginx = await NginxServer.StartAsync(fleet.Kith.File("nginx"), $"""
                    server_name ops.home.arpa;
                    ssl_certificate {Path.Combine(ops, "fullchain.pem")};
                    ssl_certificate_key {Path.Combine(ops, "key.pem")};
                    ssl_verify_client on;
                    ssl_client_certificate {fleet.Kith.RootCertificate};
                    ssl_verify_depth 2;
                    ssl_crl {crlFile};
                    location / {"{"} return 200 "hello $ssl_client_s_dn\n"; {"}"}
            """);

        var refused = Curl(fleet, nginx, "app");
        var accepted = Curl(fleet, nginx, "ops");

        Assert.True(accepted.ExitCode == 0 && accepted.Output.StartsWith("200", StringComparison.Ordinal), $"{accepted.Output}\n{nginx.Log}");
        Assert.StartsWith("400", refused.Output, StringComparison.Ordinal);
        Assert.Contains("certificate revoked", nginx.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crl_numbers_only_increase_across_an_agent_restart_and_the_crl_is_served_with_caching_headers()
    {
        using var fleet = await RevocationFleet.StartAsync();
        using (var response = await fleet.Http.GetAsync(new Uri("/crl/alpha.crl", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/pkix-crl", response.Content.Headers.ContentType?.MediaType);
            var maxAge = response.Headers.CacheControl?.MaxAge;
            Assert.NotNull(maxAge);
            Assert.InRange(maxAge.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
            Assert.NotNull(response.Headers.ETag);
            Assert.NotNull(response.Content.Headers.LastModified);
            Assert.InRange(response.Content.Headers.LastModified.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

            using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/crl/alpha.crl", UriKind.Relative));
            again.Headers.IfNoneMatch.Add(response.Headers.ETag);
            using var notModified = await fleet.Http.SendAsync(again, Ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var before = CrlNumber(fleet, await fleet.DownloadHostCrlAsync());
        Assert.True(fleet.Agent.Terminate() == 0, fleet.Agent.Log);
        fleet.Agent.Dispose();
        await fleet.StartAgentAsync();
        var after = CrlNumber(fleet, await fleet.DownloadHostCrlAsync());

        Assert.True(after > before, $"CRL number {after} after the restart, {before} before");
    }

    [Fact]
    public async Task The_plain_http_listener_serves_only_revocation_and_https_never_serves_crls()
    {
        using var fleet = await RevocationFleet.StartAsync();
        using var https = AgentProcess.Client(fleet.Kith.RootCertificate, requireName: false);

        foreach (var path in new[] { "/state", "/acme/directory", "/healthz", "/metrics", "/crl/beta.crl", "/crl/alpha.crl/x" })
        {
            using var plain = await fleet.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.True(plain.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)plain.StatusCode}");
        }

        using var secure = await https.GetAsync(new Uri(fleet.Agent.BaseAddress, "/crl/alpha.crl"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, secure.StatusCode);
        using var root = await fleet.Http.GetAsync(new Uri("/crl/root.crl", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode); // the fleet state holds no Root CRL yet
        using var post = await fleet.Http.PostAsync(new Uri("/crl/alpha.crl", UriKind.Relative), new ByteArrayContent([]), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Revoke_on_a_machine_fails_with_one_clear_line_when_nothing_matches_or_the_reason_is_unknown()
    {
        using var fleet = await RevocationFleet.StartAsync();

        CliRun.AssertCleanFailure(await CliRun.RunAsync("revoke", "--name", "nope.home.arpa", "--dir", fleet.AgentFolder), 1, "no unexpired, unrevoked certificate", "nope.home.arpa");
        CliRun.AssertCleanFailure(await CliRun.RunAsync("revoke", "0a0b", "--dir", fleet.AgentFolder), 1, "no certificate with serial 0a0b");
        CliRun.AssertCleanFailure(
            await CliRun.RunAsync("revoke", "--name", "app.home.arpa", "--reason", "stolen", "--dir", fleet.AgentFolder),
            1,
            "--reason 'stolen' is not one of: unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn");
        CliRun.AssertCleanFailure(await CliRun.RunAsync("revoke", "--dir", fleet.AgentFolder), 1, "give either a SERIAL or --name NAME");
    }

    private static long CrlNumber(RevocationFleet fleet, byte[] der)
    {
        var path = fleet.Kith.File($"number-{Guid.NewGuid():N}.crl");
        File.WriteAllBytes(path, der);
        var (code, output) = Openssl.Run("crl", "-inform", "DER", "-in", path, "-noout", "-crlnumber");
        Assert.True(code == 0, output);
        return Convert.ToInt64(Regex.Match(output, "crlNumber=0x([0-9A-Fa-f]+)").Groups[1].Value, 16);
    }

    private static (int ExitCode, string Output) Curl(RevocationFleet fleet, NginxServer nginx, string service)
    {
        var endpoint = fleet.Endpoint(service);
        var start = new System.Diagnostics.ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-sS", "-o", "/dev/null", "-w", "%{http_code}",
            "--resolve", $"ops.home.arpa:{nginx.Port}:127.0.0.1",
            "--cacert", fleet.Kith.RootCertificate,
            "--cert", Path.Combine(endpoint, "fullchain.pem"), "--key", Path.Combine(endpoint, "key.pem"),
            $"https://ops.home.arpa:{nginx.Port}/",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
