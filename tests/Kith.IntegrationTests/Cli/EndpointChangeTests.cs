using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class EndpointChangeTests
{
    private const string TwoMachines = """
        domain: home.arpa
        machines:
          alpha: { addresses: [192.0.2.1] }
          beta: { addresses: [192.0.2.2] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
          api:
            machine: beta
            endpoints: [api.home.arpa]
        """;

    [Fact]
    public async Task Adding_an_endpoint_re_signs_only_that_machines_host_ca_with_the_same_key_and_touches_no_other_machine()
    {
        using var kith = new KithWorkspace(TwoMachines);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var alphaCa = Path.Combine(kith.State, "hosts", "alpha", "host-ca.pem");
        var publicKeyBefore = Openssl.Run("x509", "-in", alphaCa, "-pubkey", "-noout").Output;
        var serialBefore = Openssl.Run("x509", "-in", alphaCa, "-serial", "-noout").Output;
        var betaOutput = FolderSnapshot.Take(Path.Combine(kith.OutputFolder, "beta"));
        var betaHost = FolderSnapshot.Take(Path.Combine(kith.State, "hosts", "beta"));
        var alphaKey = File.ReadAllBytes(Path.Combine(kith.State, "hosts", "alpha", "host-ca.key"));

        kith.Inventory = kith.Write("kith-more.yaml", TwoMachines.Replace("[web.home.arpa]", "[web.home.arpa, www.home.arpa]", StringComparison.Ordinal));
        var plan = await kith.SucceedAsync("plan", "--json");

        using (var document = JsonDocument.Parse(plan.Out))
        {
            var changes = document.RootElement.GetProperty("items").EnumerateArray()
                .Where(i => i.GetProperty("action").GetString() != "keep")
                .Select(i => (Machine: i.GetProperty("machine").GetString(), Service: i.GetProperty("service").GetString(), Action: i.GetProperty("action").GetString()))
                .OrderBy(c => c.Service is null ? string.Empty : c.Service, StringComparer.Ordinal)
                .ToList();
            (string?, string?, string?)[] expected = [("alpha", null, "update"), ("alpha", "web", "update")];
            Assert.Equal(expected, changes);
        }

        var table = await kith.SucceedAsync("plan");
        Assert.Contains("+www.home.arpa", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("beta", table.Out, StringComparison.Ordinal);

        var applied = await kith.SucceedAsync("apply");

        Assert.Contains("signed 1 Host CA(s), issued 1 certificate(s)", applied.Out, StringComparison.Ordinal);
        Assert.Equal(publicKeyBefore, Openssl.Run("x509", "-in", alphaCa, "-pubkey", "-noout").Output);
        Assert.NotEqual(serialBefore, Openssl.Run("x509", "-in", alphaCa, "-serial", "-noout").Output);
        Assert.Equal(alphaKey, File.ReadAllBytes(Path.Combine(kith.State, "hosts", "alpha", "host-ca.key")));
        var text = Openssl.Run("x509", "-in", alphaCa, "-noout", "-text").Output;
        Assert.Contains("DNS:www.home.arpa", text, StringComparison.Ordinal);
        Assert.Contains("DNS:web.home.arpa", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DNS:api.home.arpa", text, StringComparison.Ordinal);
        Assert.Equal(0, Openssl.Verify(kith.RootCertificate, null, alphaCa).ExitCode);

        var web = kith.EndpointFolder("alpha", "/var/lib/acme/web.home.arpa");
        var names = Openssl.Run("x509", "-in", Path.Combine(web, "cert.pem"), "-noout", "-ext", "subjectAltName").Output;
        Assert.Contains("DNS:www.home.arpa", names, StringComparison.Ordinal);
        var (code, verify) = Openssl.Verify(kith.RootCertificate, Path.Combine(web, "chain.pem"), Path.Combine(web, "cert.pem"));
        Assert.True(code == 0, verify);

        betaOutput.AssertUnchanged(FolderSnapshot.Take(Path.Combine(kith.OutputFolder, "beta")), "machine beta's files");
        betaHost.AssertUnchanged(FolderSnapshot.Take(Path.Combine(kith.State, "hosts", "beta")), "machine beta's Host CA");
        Assert.Contains("nothing to do", (await kith.SucceedAsync("plan")).Out, StringComparison.Ordinal);
    }
}
