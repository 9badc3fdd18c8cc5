using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Fleet;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class FleetStateTests
{
    private const string Minimal = """
        domain: home.arpa
        machines:
          server: { addresses: [192.168.1.10] }
        services:
          web:
            machine: server
            endpoints: [www.home.arpa]
        """;

    private const string AnotherEndpoint = """

          api:
            machine: server
            endpoints: [api.home.arpa]
        """;

    [Fact]
    public async Task Init_makes_a_publisher_key_0600_whose_certificate_openssl_verifies_against_the_root()
    {
        using var kith = new KithWorkspace(Minimal);

        var init = await kith.SucceedAsync("init");

        var key = Path.Combine(kith.State, "publisher", "publisher.key");
        var certificate = Path.Combine(kith.State, "publisher", "publisher.pem");
        Assert.Contains("publisher", init.Out, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(key), StringComparison.Ordinal);
        var (code, output) = Openssl.Verify(kith.RootCertificate, null, certificate);
        Assert.True(code == 0, output);
        var (_, text) = Openssl.Run("x509", "-in", certificate, "-noout", "-text");
        Assert.Contains("CA:FALSE", text, StringComparison.Ordinal);
        Assert.Contains("Digital Signature", text, StringComparison.Ordinal);
        Assert.Contains(PublisherCertificate.ExtendedKeyUsage, text, StringComparison.Ordinal);
        Assert.Contains("CN=kith fleet-state publisher", text.Replace(" = ", "=", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_writes_a_signed_fleet_state_whose_version_grows_only_when_the_inventory_changes()
    {
        using var kith = new KithWorkspace(Minimal);
        await kith.SucceedAsync("init");
        var path = Path.Combine(kith.State, "fleet-state.json");

        await kith.SucceedAsync("apply");
        var first = File.ReadAllBytes(path);
        Assert.Equal(1, Accept(kith, first).Version);

        var again = await kith.SucceedAsync("apply");
        Assert.Contains("version 1, unchanged", again.Out, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllBytes(path));

        File.WriteAllText(kith.Inventory, Minimal + AnotherEndpoint);
        await kith.SucceedAsync("apply");
        var second = File.ReadAllBytes(path);
        var state = Accept(kith, second, lastAccepted: 1);
        Assert.Equal(2, state.Version);
        Assert.Contains(state.Machines.Single().Endpoints, e => e.Service == "api" && e.Names.SequenceEqual(["api.home.arpa"]));
        Assert.Contains(new FleetDnsRecord("api.home.arpa", "CNAME", "server.home.arpa"), state.DnsRecords);
        Assert.Contains(new FleetDnsRecord("server.home.arpa", "A", "192.168.1.10"), state.DnsRecords);
        Assert.Equal(File.ReadAllText(Path.Combine(kith.State, "hosts", "server", "host-ca.pem")), state.HostCas.Single().Certificate);
        Assert.Equal(File.ReadAllText(kith.RootCertificate), state.TrustBundle);

        await kith.SucceedAsync("apply");
        Assert.Equal(second, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task The_signature_verifies_with_openssl_over_the_exact_payload_bytes()
    {
        using var kith = new KithWorkspace(Minimal);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");

        using var envelope = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")));
        var payload = kith.File("payload.bin");
        var signature = kith.File("sig.der");
        var publisher = kith.Write("publisher.pem", envelope.RootElement.GetProperty("publisher").GetString()!);
        File.WriteAllBytes(payload, Convert.FromBase64String(envelope.RootElement.GetProperty("payload").GetString()!));
        File.WriteAllBytes(signature, Convert.FromBase64String(envelope.RootElement.GetProperty("signature").GetString()!));
        var publicKey = kith.File("pub.pem");
        var (extract, extracted) = Openssl.Run("x509", "-in", publisher, "-pubkey", "-noout", "-out", publicKey);
        Assert.True(extract == 0, extracted);

        var (code, output) = Openssl.Run("dgst", "-sha256", "-verify", publicKey, "-signature", signature, payload);

        Assert.True(code == 0, output);
        Assert.Contains("Verified OK", output, StringComparison.Ordinal);
        var (chain, chainOutput) = Openssl.Verify(kith.RootCertificate, null, publisher);
        Assert.True(chain == 0, chainOutput);
    }

    [Fact]
    public async Task Apply_with_nothing_to_do_still_writes_a_missing_fleet_state()
    {
        using var kith = new KithWorkspace(Minimal);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var path = Path.Combine(kith.State, "fleet-state.json");
        File.Delete(path);

        var result = await kith.SucceedAsync("apply");

        Assert.Contains("version 1, written", result.Out, StringComparison.Ordinal);
        Assert.Equal(1, Accept(kith, File.ReadAllBytes(path)).Version);
    }

    [Fact]
    public async Task A_state_folder_from_before_the_publisher_gets_one_from_init_and_apply_warns_until_then()
    {
        using var kith = new KithWorkspace(Minimal);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        Directory.Delete(Path.Combine(kith.State, "publisher"), recursive: true);
        File.Delete(Path.Combine(kith.State, "fleet-state.json"));

        var warned = await kith.SucceedAsync("apply");
        Assert.Contains("kith init", warned.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(kith.State, "fleet-state.json")));

        var init = await kith.SucceedAsync("init");
        Assert.Contains("publisher", init.Out, StringComparison.Ordinal);
        await kith.SucceedAsync("apply");
        Assert.Equal(1, Accept(kith, File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json"))).Version);
    }

    [Fact]
    public async Task A_publisher_near_its_end_is_a_warning_until_an_apply_opens_the_root_and_renews_it()
    {
        using var kith = new KithWorkspace(Minimal);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var state = new Kith.Operator.StateFolder(kith.State);
        using (var root = Kith.Operator.RootStore.Open(state, new Kith.Operator.Passphrase(kith.PassphraseFile, null)))
        {
            // Made 340 days ago: 25 days left, inside the 60-day renewal window.
            Kith.Operator.PublisherFiles.Create(state, root, "home.arpa", DateTimeOffset.UtcNow - TimeSpan.FromDays(340));
        }

        var old = File.ReadAllText(state.PublisherCertificate);

        var warned = await kith.SucceedAsync("apply");
        Assert.Contains("expires soon", warned.Err, StringComparison.Ordinal);
        Assert.Equal(old, File.ReadAllText(state.PublisherCertificate));
        Assert.Contains("version 2, written", warned.Out, StringComparison.Ordinal); // signed by another publisher

        // A new endpoint re-signs the Host CA: the Root is open, so the publisher is renewed on the way.
        File.WriteAllText(kith.Inventory, Minimal + AnotherEndpoint);
        var renewed = await kith.SucceedAsync("apply");
        Assert.DoesNotContain("expires soon", renewed.Err, StringComparison.Ordinal);
        Assert.NotEqual(old, File.ReadAllText(state.PublisherCertificate));
        using var publisher = X509CertificateLoader.LoadCertificate(Kith.Pki.Pem.ReadCertificates(state.PublisherCertificate)[0]);
        Assert.True(publisher.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(300));
        Assert.Equal(3, Accept(kith, File.ReadAllBytes(state.FleetState), lastAccepted: 2).Version);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state.PublisherKey));
    }

    private static FleetState Accept(KithWorkspace kith, byte[] envelope, long? lastAccepted = null)
    {
        using var root = X509CertificateLoader.LoadCertificate(Kith.Pki.Pem.ReadCertificates(kith.RootCertificate)[0]);
        var verdict = FleetStateVerifier.Verify(envelope, root, lastAccepted);
        return Assert.IsType<FleetStateVerdict.Accepted>(verdict).State;
    }
}
