using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests.Revocation;

/// <summary>
/// <c>kith revoke</c> on the operator with a real agent process: a leaf revoked by name travels to alpha's agent in the
/// fleet state, which revokes it in its store and issues a replacement; alpha's Host CA revoked with <c>--machine</c>
/// goes into the Root CRL, and <c>openssl verify -crl_check_all</c> then rejects every leaf under it while beta's
/// (an all-in-one machine) still verifies; apply refuses to sign the blocked key again.
/// </summary>
public class OperatorRevocationTests
{
    private const string Inventory = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
          beta: { addresses: [127.0.0.2] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
            files: { dir: /var/lib/acme/web }
          api:
            machine: beta
            endpoints: [api.home.arpa]
            files: { dir: /var/lib/acme/api }
        """;

    [Fact]
    public async Task A_leaf_revoked_by_name_is_revoked_and_replaced_by_its_agent_and_a_revoked_machine_fails_crl_checks()
    {
        using var kith = new KithWorkspace(Inventory);
        await kith.SucceedAsync("init");
        var alphaFolder = await AgentEnrollment.EnrollAsync(kith, "alpha");
        await kith.SucceedAsync("apply");
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        var crlPort = TestProcesses.FreeLoopbackPort();
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, alphaFolder, filesRoot, $"peer_sync: false\nrevocation_listen: [127.0.0.1:{crlPort}]");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await AgentEnrollment.PublishAsync(kith, agent);
        var webCert = Path.Combine(filesRoot, "var", "lib", "acme", "web", "cert.pem");
        await AgentEnrollment.WaitAsync(() => File.Exists(webCert), agent);
        var first = SerialOf(webCert);

        // By name: alpha is agent-managed, so the revocation is a request in a new fleet state version.
        var revoke = await kith.SucceedAsync("revoke", "--name", "web.home.arpa", "--reason", "superseded");
        Assert.Contains("requested", revoke.Out, StringComparison.Ordinal);
        Assert.Contains("version 2, written", revoke.Out, StringComparison.Ordinal);
        Assert.Contains("kith publish", revoke.Out, StringComparison.Ordinal);
        var request = Assert.Single(FleetStatePayload(kith).GetProperty("revocations").EnumerateArray());
        Assert.Equal(("alpha", "web.home.arpa", "superseded"), (request.GetProperty("machine").GetString(), request.GetProperty("name").GetString(), request.GetProperty("reason").GetString()));

        await AgentEnrollment.PublishAsync(kith, agent);
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains($"revoked certificate {first}", StringComparison.Ordinal), agent);
        await AgentEnrollment.WaitAsync(() => SerialOf(webCert) != first, agent);
        var second = SerialOf(webCert);
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains($"endpoint web: renewed in", StringComparison.Ordinal) && agent.Log.Contains($"(revoked); serial {second}", StringComparison.Ordinal), agent);
        // The agent's own CRL, as any client downloads it, lists the old serial within seconds.
        var alphaCrl = kith.File("alpha-crl.pem");
        var crlText = string.Empty;
        await AgentEnrollment.WaitAsync(
            () =>
            {
                DownloadCrl(http, crlPort, "alpha", alphaCrl);
                crlText = Openssl.Run("crl", "-in", alphaCrl, "-noout", "-text").Output;
                return crlText.Contains(first.ToUpperInvariant(), StringComparison.Ordinal);
            },
            agent);
        Assert.Contains(first.ToUpperInvariant(), crlText, StringComparison.Ordinal);
        Assert.DoesNotContain(second.ToUpperInvariant(), crlText, StringComparison.Ordinal);
        Assert.Contains("Superseded", crlText, StringComparison.Ordinal);

        // Before alpha's Host CA is revoked, its current leaf passes every CRL check (the Root CRL as alpha serves it).
        var rootCrl = kith.File("root-crl.pem");
        DownloadCrl(http, crlPort, "root", rootCrl);
        var alphaHostCa = Path.Combine(alphaFolder, "host-ca.pem");
        var (valid, validOutput) = Openssl.Verify(kith.RootCertificate, alphaHostCa, webCert, "-crl_check_all", "-CRLfile", rootCrl, "-CRLfile", alphaCrl);
        Assert.True(valid == 0, validOutput);

        // By machine: the Host CA goes into the Root CRL (signed at once) and into the next fleet state.
        var machine = await kith.SucceedAsync("revoke", "--machine", "alpha", "--reason", "keyCompromise");
        Assert.Contains("Host CA of alpha", machine.Out, StringComparison.Ordinal);
        Assert.Contains("version 3, written", machine.Out, StringComparison.Ordinal);
        Assert.Contains("re-enroll alpha", machine.Out, StringComparison.Ordinal);
        var operatorRootCrl = Path.Combine(kith.State, "root", "root-crl.pem");
        Assert.Equal(File.ReadAllText(operatorRootCrl), FleetStatePayload(kith).GetProperty("root_crl").GetString());
        await AgentEnrollment.PublishAsync(kith, agent);
        DownloadCrl(http, crlPort, "root", rootCrl);
        Assert.Equal(File.ReadAllText(operatorRootCrl), File.ReadAllText(rootCrl));
        using (var hostCa = X509CertificateLoader.LoadCertificateFromFile(alphaHostCa))
        {
            var (_, rootCrlText) = Openssl.Run("crl", "-in", rootCrl, "-noout", "-text");
            Assert.Contains(hostCa.SerialNumber, rootCrlText, StringComparison.Ordinal);
            Assert.Contains("Key Compromise", rootCrlText, StringComparison.Ordinal);
        }

        var (revoked, revokedOutput) = Openssl.Verify(kith.RootCertificate, alphaHostCa, webCert, "-crl_check_all", "-CRLfile", rootCrl, "-CRLfile", alphaCrl);
        Assert.True(revoked != 0, revokedOutput);
        Assert.Contains("certificate revoked", revokedOutput, StringComparison.Ordinal);
        Assert.Contains("kith Host CA alpha", revokedOutput, StringComparison.Ordinal);

        // beta (all-in-one) is untouched: its leaf still verifies with the same Root CRL and its own Host CA's CRL.
        var betaLeaf = kith.EndpointFolder("beta", "/var/lib/acme/api") + "/cert.pem";
        var betaHostCa = Path.Combine(kith.State, "hosts", "beta", "host-ca.pem");
        var betaCrl = Path.Combine(kith.State, "hosts", "beta", "host-ca-crl.pem");
        var (beta, betaOutput) = Openssl.Verify(kith.RootCertificate, betaHostCa, betaLeaf, "-crl_check_all", "-CRLfile", rootCrl, "-CRLfile", betaCrl);
        Assert.True(beta == 0, betaOutput);

        // alpha's agent, given that state, logs that its Host CA is revoked and /healthz reports it unhealthy.
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains("Host CA (serial", StringComparison.Ordinal) && agent.Log.Contains("is revoked", StringComparison.Ordinal), agent);
        using (var client = AgentProcess.Client(kith.RootCertificate, requireName: false))
        {
            using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken));
            Assert.False(health.RootElement.GetProperty("healthy").GetBoolean(), health.RootElement.ToString());
            Assert.Contains("Root CRL", health.RootElement.GetProperty("host_ca_revoked").GetString(), StringComparison.Ordinal);
        }

        // The blocked key is never signed again: plan says why, apply refuses naming the machine and the way out.
        var plan = await kith.SucceedAsync("plan");
        Assert.Contains(plan.Out.Split('\n'), l => l.StartsWith("alpha ", StringComparison.Ordinal) && l.Contains("host CA", StringComparison.Ordinal) && l.Contains("revoked", StringComparison.Ordinal));
        CliRun.AssertCleanFailure(await kith.KithAsync("apply"), 1, "alpha", "blocked", "re-enroll", "kith.yaml");
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    [Fact]
    public async Task A_leaf_of_an_all_in_one_machine_is_revoked_in_the_operator_store_with_its_host_ca_crl_and_apply_issues_a_new_one()
    {
        using var kith = new KithWorkspace(Inventory);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var leaf = kith.EndpointFolder("beta", "/var/lib/acme/api") + "/cert.pem";
        var serial = SerialOf(leaf);
        var withColons = string.Join(':', Enumerable.Range(0, serial.Length / 2).Select(i => serial.Substring(i * 2, 2).ToUpperInvariant()));

        var revoke = await kith.SucceedAsync("revoke", withColons, "--reason", "keyCompromise");

        Assert.Contains($"serial {serial}", revoke.Out, StringComparison.Ordinal);
        Assert.Contains("host-ca-crl.pem", revoke.Out, StringComparison.Ordinal);
        var rootCrl = Path.Combine(kith.State, "root", "root-crl.pem");
        var betaCrl = Path.Combine(kith.State, "hosts", "beta", "host-ca-crl.pem");
        var betaHostCa = Path.Combine(kith.State, "hosts", "beta", "host-ca.pem");
        var (code, output) = Openssl.Verify(kith.RootCertificate, betaHostCa, leaf, "-crl_check_all", "-CRLfile", rootCrl, "-CRLfile", betaCrl);
        Assert.True(code != 0, output);
        Assert.Contains("certificate revoked", output, StringComparison.Ordinal);

        var plan = await kith.SucceedAsync("plan");
        Assert.Contains(plan.Out.Split('\n'), l => l.StartsWith("beta ", StringComparison.Ordinal) && l.Contains(" api ", StringComparison.Ordinal) && l.Contains("create", StringComparison.Ordinal));
        await kith.SucceedAsync("apply");
        Assert.NotEqual(serial, SerialOf(leaf));
        var (renewed, renewedOutput) = Openssl.Verify(kith.RootCertificate, betaHostCa, leaf, "-crl_check_all", "-CRLfile", rootCrl, "-CRLfile", betaCrl);
        Assert.True(renewed == 0, renewedOutput);
    }

    [Fact]
    public async Task Revoke_mistakes_get_one_line_that_says_what_to_do()
    {
        using var kith = new KithWorkspace(Inventory);
        await kith.SucceedAsync("init");
        await AgentEnrollment.EnrollAsync(kith, "alpha", install: false);
        await kith.SucceedAsync("apply");

        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "--name", "nowhere.home.arpa"), 1, "nowhere.home.arpa", "no service", "SERIAL --machine");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "0a1b2c3d"), 1, "0a1b2c3d", "not in the operator's store", "--machine");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "0a1b2c3d", "--machine", "beta"), 1, "beta", "no agent");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "0a1b2c3d", "--machine", "omega"), 1, "omega", "not in the inventory");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "not-hex"), 1, "not-hex", "hexadecimal");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "--machine", "omega"), 1, "omega", "nothing to revoke");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "--name", "web.home.arpa", "--reason", "whatever"), 1, "--reason", "whatever", "keyCompromise");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "--name", "web.home.arpa", "--reason", "caCompromise"), 1, "caCompromise");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke", "0a", "--name", "web.home.arpa"), 1, "SERIAL", "--name");
        CliRun.AssertCleanFailure(await kith.KithAsync("revoke"), 1, "SERIAL", "--name", "--machine");

        // None of them changed the fleet state.
        Assert.Equal(1, FleetStatePayload(kith).GetProperty("version").GetInt64());
        var serial = await kith.SucceedAsync("revoke", "0a1b2c3d", "--machine", "alpha", "--reason", "KEYCOMPROMISE");
        Assert.Contains("version 2, written", serial.Out, StringComparison.Ordinal);
        var request = Assert.Single(FleetStatePayload(kith).GetProperty("revocations").EnumerateArray());
        Assert.Equal(("0a1b2c3d", "keyCompromise"), (request.GetProperty("serial").GetString(), request.GetProperty("reason").GetString()));
    }

    private static string SerialOf(string certificatePem)
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(certificatePem);
        return certificate.SerialNumber.ToLowerInvariant();
    }

    private static JsonElement FleetStatePayload(KithWorkspace kith)
    {
        using var envelope = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")));
        var payload = Convert.FromBase64String(envelope.RootElement.GetProperty("payload").GetString()!);
        return JsonDocument.Parse(payload).RootElement.Clone();
    }

    /// <summary>GET http://127.0.0.1:PORT/crl/ISSUER.crl (DER), written to <paramref name="path"/> as PEM for openssl.</summary>
    private static void DownloadCrl(HttpClient http, int port, string issuer, string path)
    {
        using var response = http.GetAsync(new Uri($"http://127.0.0.1:{port}/crl/{issuer}.crl"), TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, $"GET /crl/{issuer}.crl: {(int)response.StatusCode}");
        Assert.Equal("application/pkix-crl", response.Content.Headers.ContentType?.MediaType);
        var der = response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        File.WriteAllText(path, Pem.Encode("X509 CRL", der));
    }
}
