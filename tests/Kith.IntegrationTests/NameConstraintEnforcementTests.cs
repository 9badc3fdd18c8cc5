using System.Net;
using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests;

/// <summary>
/// The constraint lives in the Host CA certificate, so openssl refuses what kith's policy would refuse.
/// These tests force leaves past kith's policy by signing with a bare CertificateRequest.
/// </summary>
public class NameConstraintEnforcementTests
{
    [Theory]
    [InlineData("DNS:evil.example.com")]
    [InlineData("DNS:evilmusic.home.arpa")]
    [InlineData("IP:100.64.0.99")]
    [InlineData("IP:fd00::1")]
    [InlineData("URI:https://music.home.arpa/")]
    [InlineData("email:admin@music.home.arpa")]
    public void Openssl_rejects_a_forged_leaf_with_a_name_outside_the_host_ca_constraints(string san)
    {
        using var pki = new TestPki();
        using var folder = new TempFolder();
        var (root, host) = pki.WriteCas(folder);
        var forged = ForgedLeaf.Sign(pki.Host, pki.HostKey, "music.home.arpa", san);
        var leafPath = folder.Write("forged.pem", forged);

        var (code, output) = Openssl.Verify(root, host, leafPath);

        Assert.NotEqual(0, code);
        Assert.Contains("violation", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_forged_leaf_inside_the_constraints_verifies_showing_the_forgery_harness_is_sound()
    {
        using var pki = new TestPki();
        using var folder = new TempFolder();
        var (root, host) = pki.WriteCas(folder);
        var leafPath = folder.Write("ok.pem", ForgedLeaf.Sign(pki.Host, pki.HostKey, "music.home.arpa", "DNS:music.home.arpa"));

        var (code, output) = Openssl.Verify(root, host, leafPath);

        Assert.True(code == 0, output);
    }

    [Fact]
    public void Kith_policy_refuses_the_same_out_of_constraint_name_and_names_the_field()
    {
        using var pki = new TestPki();
        using var key = Kith.Pki.Keys.Create(KeyAlgorithm.EcdsaP256);
        using var issuer = new LeafIssuer(pki.Host);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(TestPki.Request(key, CertificateUsage.Server, "music.home.arpa", "evil.example.com")));

        Assert.Equal("names[1]", error.Field);
        Assert.Contains("outside", error.Message, StringComparison.Ordinal);
        Assert.Contains("evil.example.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kith_policy_refuses_an_address_outside_the_constraints()
    {
        using var pki = new TestPki();
        using var key = Kith.Pki.Keys.Create(KeyAlgorithm.EcdsaP256);
        using var issuer = new LeafIssuer(pki.Host);
        var request = TestPki.Request(key, CertificateUsage.Server, "music.home.arpa") with { IpAddresses = [IPAddress.Parse("100.64.0.99")] };

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(request));

        Assert.Equal("ipAddresses[0]", error.Field);
    }
}
