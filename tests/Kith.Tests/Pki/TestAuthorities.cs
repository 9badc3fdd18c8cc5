using System.Net;
using System.Security.Cryptography;
using Kith.Pki;

namespace Kith.Tests.Pki;

/// <summary>A Root and a constrained Host CA made through kith's own code.</summary>
internal sealed class TestAuthorities : IDisposable
{
    public TestAuthorities(DateTimeOffset? now = null)
    {
        Now = now ?? DateTimeOffset.UtcNow;
        var (rootCertificate, rootKey) = RootCa.Create("home.arpa", KeyAlgorithm.EcdsaP256, TimeSpan.FromDays(3650), Now);
        Root = new CertificateAuthority("root", rootCertificate, rootKey);
        HostKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = HostCa.ReadSigningRequest(HostCa.CreateSigningRequest("storage", HostKey), "test.csr");
        var constraints = new NameConstraints(["music.home.arpa", "storage.home.arpa"], [IPAddress.Parse("100.64.0.10")]);
        var host = HostCa.Sign(Root, "storage", "home.arpa", spki, constraints, Now - TimeSpan.FromMinutes(5), Now + TimeSpan.FromDays(30), SerialNumber.New());
        Host = new CertificateAuthority("storage", host, HostKey, [Root.SubjectPublicKeyInfo]);
    }

    public DateTimeOffset Now { get; }

    public CertificateAuthority Root { get; }

    public CertificateAuthority Host { get; }

    public ECDsa HostKey { get; }

    public LeafRequest Request(params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new LeafRequest(names, [], CertificateUsage.Server, key.ExportSubjectPublicKeyInfo(), Now - TimeSpan.FromMinutes(1), Now + TimeSpan.FromDays(7));
    }

    public void Dispose()
    {
        Host.Dispose();
        Root.Dispose();
    }
}
