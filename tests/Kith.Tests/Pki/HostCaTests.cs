using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;

namespace Kith.Tests.Pki;

public class HostCaTests
{
    [Fact]
    public void Extensions_a_csr_asks_for_never_reach_the_host_ca_certificate()
    {
        using var cas = new TestAuthorities();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=greedy", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
        request.CertificateExtensions.Add(new X509Extension("1.2.3.4.5.6.7", [0x05, 0x00], critical: true));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(["http://evil.example/ocsp"], null));
        var spki = HostCa.ReadSigningRequest(request.CreateSigningRequestPem(), "greedy.csr");

        using var certificate = HostCa.Sign(cas.Root, "media", "home.arpa", spki, new NameConstraints(["media.home.arpa"], []), cas.Now, cas.Now.AddDays(30), SerialNumber.New());

        var oids = certificate.Extensions.Select(e => e.Oid!.Value).ToHashSet();
        Assert.Equal(["2.5.29.19", "2.5.29.15", "2.5.29.14", "2.5.29.35", "2.5.29.30"], oids);
        var basic = Assert.IsType<X509BasicConstraintsExtension>(certificate.Extensions["2.5.29.19"]);
        Assert.Equal(0, basic.PathLengthConstraint);
        Assert.True(certificate.Extensions["2.5.29.30"]!.Critical);
        Assert.Equal("O=kith home.arpa, CN=kith Host CA media", certificate.Subject);
    }

    [Fact]
    public void A_csr_with_a_broken_signature_is_refused_naming_the_file()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = HostCa.CreateSigningRequest("storage", key);
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^5] ^= 0xFF;
        var tampered = new string(PemEncoding.Write("CERTIFICATE REQUEST", der));

        var error = Assert.Throws<KithException>(() => HostCa.ReadSigningRequest(tampered, "storage.csr"));

        Assert.StartsWith("storage.csr:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_root_refuses_to_certify_its_own_key_as_a_host_ca()
    {
        using var cas = new TestAuthorities();

        var error = Assert.Throws<PolicyViolationException>(() =>
            HostCa.Sign(cas.Root, "media", "home.arpa", cas.Root.SubjectPublicKeyInfo, null, cas.Now, cas.Now.AddDays(1), SerialNumber.New()));

        Assert.Equal("publicKey", error.Field);
    }

    [Fact]
    public void A_host_ca_may_not_outlive_the_root()
    {
        using var cas = new TestAuthorities();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<PolicyViolationException>(() =>
            HostCa.Sign(cas.Root, "media", "home.arpa", key.ExportSubjectPublicKeyInfo(), null, cas.Now, cas.Root.NotAfter.AddDays(1), SerialNumber.New()));

        Assert.Equal("notAfter", error.Field);
    }

    [Fact]
    public void The_root_is_a_ca_with_path_length_one_and_only_cert_and_crl_signing()
    {
        using var cas = new TestAuthorities();

        var basic = Assert.IsType<X509BasicConstraintsExtension>(cas.Root.Certificate.Extensions["2.5.29.19"]);
        var usage = Assert.IsType<X509KeyUsageExtension>(cas.Root.Certificate.Extensions["2.5.29.15"]);

        Assert.True(basic.CertificateAuthority);
        Assert.Equal(1, basic.PathLengthConstraint);
        Assert.True(basic.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
    }
}
