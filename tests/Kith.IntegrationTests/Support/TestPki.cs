using System.Net;
using System.Security.Cryptography;
using Kith.Pki;

namespace Kith.IntegrationTests.Support;

/// <summary>A Root and one Host CA built through kith's own code, for tests.</summary>
internal sealed class TestPki : IDisposable
{
    public TestPki(KeyAlgorithm algorithm = KeyAlgorithm.EcdsaP256, NameConstraints? constraints = null)
    {
        var now = DateTimeOffset.UtcNow;
        var (rootCertificate, rootKey) = RootCa.Create("home.arpa", algorithm, TimeSpan.FromDays(3650), now);
        Root = new CertificateAuthority("root", rootCertificate, rootKey);
        HostKey = Keys.Create(algorithm);
        Constraints = constraints ?? new NameConstraints(
            ["music.home.arpa", "storage.home.arpa"],
            [IPAddress.Parse("100.64.0.10")]);
        var csr = HostCa.CreateSigningRequest("storage", HostKey);
        var spki = HostCa.ReadSigningRequest(csr, "test.csr");
        var hostCertificate = HostCa.Sign(Root, "storage", "home.arpa", spki, Constraints, now - TimeSpan.FromMinutes(5), now + TimeSpan.FromDays(365), SerialNumber.New());
        Host = new CertificateAuthority(
            "storage",
            hostCertificate,
            HostKey,
            parentKeys: [Root.SubjectPublicKeyInfo],
            crlUrl: "http://storage.home.arpa:8580/crl/storage.crl",
            ocspUrl: "http://storage.home.arpa:8580/ocsp");
    }

    public CertificateAuthority Root { get; }

    public CertificateAuthority Host { get; }

    public AsymmetricAlgorithm HostKey { get; }

    public NameConstraints Constraints { get; }

    public static LeafRequest Request(AsymmetricAlgorithm key, CertificateUsage usage, params string[] names) => new(
        names,
        [],
        usage,
        key.ExportSubjectPublicKeyInfo(),
        DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1),
        DateTimeOffset.UtcNow + TimeSpan.FromDays(7));

    /// <summary>Writes root.pem and host-ca.pem into the folder and returns their paths.</summary>
    public (string Root, string Host) WriteCas(TempFolder folder) => (
        folder.Write("root.pem", Pem.Encode("CERTIFICATE", Root.Certificate.RawData)),
        folder.Write("host-ca.pem", Pem.Encode("CERTIFICATE", Host.Certificate.RawData)));

    public void Dispose()
    {
        Host.Dispose();
        Root.Dispose();
    }
}
