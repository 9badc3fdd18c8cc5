using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests;

public class ChainVerificationTests
{
    [Theory]
    [InlineData(KeyAlgorithm.EcdsaP256, CertificateUsage.Server)]
    [InlineData(KeyAlgorithm.EcdsaP384, CertificateUsage.Client)]
    [InlineData(KeyAlgorithm.Rsa3072, CertificateUsage.Both)]
    public void A_leaf_from_a_host_ca_passes_openssl_strict_verification_with_only_the_root_trusted(KeyAlgorithm algorithm, CertificateUsage usage)
    {
        using var pki = new TestPki(algorithm);
        using var folder = new TempFolder();
        var (root, host) = pki.WriteCas(folder);
        using var key = Keys.Create(algorithm);
        using var issuer = new LeafIssuer(pki.Host);

        var leaf = issuer.Issue(TestPki.Request(key, usage, "music.home.arpa", "cdn.music.home.arpa"));
        var leafPath = folder.Write("leaf.pem", leaf.ToPem());

        var purpose = usage == CertificateUsage.Client ? "sslclient" : "sslserver";
        var (code, output) = Openssl.Verify(root, host, leafPath, "-purpose", purpose);
        Assert.True(code == 0, output);
        Assert.Contains("OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_ca_itself_verifies_against_the_root_and_carries_critical_name_constraints()
    {
        using var pki = new TestPki();
        using var folder = new TempFolder();
        var (root, host) = pki.WriteCas(folder);

        var (code, output) = Openssl.Verify(root, null, host);
        Assert.True(code == 0, output);

        var (_, text) = Openssl.Run("x509", "-in", host, "-noout", "-text");
        Assert.Contains("X509v3 Name Constraints: critical", text, StringComparison.Ordinal);
        Assert.Contains("DNS:music.home.arpa", text, StringComparison.Ordinal);
        Assert.Contains("IP:100.64.0.10/255.255.255.255", text, StringComparison.Ordinal);
        Assert.Contains("CA:TRUE, pathlen:0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_leaf_naming_a_permitted_ip_address_verifies()
    {
        using var pki = new TestPki();
        using var folder = new TempFolder();
        var (root, host) = pki.WriteCas(folder);
        using var key = Keys.Create(KeyAlgorithm.EcdsaP256);
        using var issuer = new LeafIssuer(pki.Host);

        var request = TestPki.Request(key, CertificateUsage.Server, "storage.home.arpa") with { IpAddresses = [System.Net.IPAddress.Parse("100.64.0.10")] };
        var leafPath = folder.Write("leaf.pem", issuer.Issue(request).ToPem());

        var (code, output) = Openssl.Verify(root, host, leafPath);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void The_leaf_carries_what_a_verifier_needs_to_find_revocation_and_its_issuer()
    {
        using var pki = new TestPki();
        using var folder = new TempFolder();
        using var key = Keys.Create(KeyAlgorithm.EcdsaP256);
        using var issuer = new LeafIssuer(pki.Host);
        var leafPath = folder.Write("leaf.pem", issuer.Issue(TestPki.Request(key, CertificateUsage.Server, "music.home.arpa")).ToPem());

        var (_, text) = Openssl.Run("x509", "-in", leafPath, "-noout", "-text");

        Assert.Contains("URI:http://storage.home.arpa:8580/crl/storage.crl", text, StringComparison.Ordinal);
        Assert.Contains("OCSP - URI:http://storage.home.arpa:8580/ocsp", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("Subject: CN = music.home.arpa", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_root_key_file_is_encrypted_so_openssl_needs_the_passphrase()
    {
        using var folder = new TempFolder();
        var (certificate, key) = RootCa.Create("home.arpa", KeyAlgorithm.EcdsaP256, TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        using (certificate)
        using (key)
        {
            var path = folder.Write("root.key", PrivateKeyPem.ExportEncrypted(key, "correct horse"));
            var env = new Dictionary<string, string> { ["PASS"] = "correct horse" };

            var withPassphrase = Openssl.Run(env, "pkey", "-in", path, "-passin", "env:PASS", "-noout");
            var without = Openssl.Run("pkey", "-in", path, "-passin", "pass:", "-noout");

            Assert.True(withPassphrase.ExitCode == 0, withPassphrase.Output);
            Assert.NotEqual(0, without.ExitCode);
            var (_, asn1) = Openssl.Run("asn1parse", "-in", path);
            Assert.Contains("PBES2", asn1, StringComparison.Ordinal);
            Assert.Contains("aes-256-cbc", asn1, StringComparison.Ordinal);
        }
    }
}
