using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Fleet;
using Kith.Pki;

namespace Kith.Tests.Fleet;

/// <summary>A fleet Root, its publisher, and states signed by it; plus forged publishers for refusals.</summary>
internal sealed class TestPublisher : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public TestPublisher(string domain = "home.arpa", KeyAlgorithm rootKey = KeyAlgorithm.EcdsaP256)
    {
        Domain = domain;
        var (rootCertificate, rootPrivateKey) = RootCa.Create(domain, rootKey, TimeSpan.FromDays(3650), Start);
        Root = new CertificateAuthority("root", rootCertificate, rootPrivateKey);
        (Certificate, Key) = PublisherCertificate.Create(Root, domain, Start);
    }

    public string Domain { get; }

    public CertificateAuthority Root { get; }

    public X509Certificate2 Certificate { get; }

    public ECDsa Key { get; }

    public FleetState State(long version, string? domain = null) => new(
        version,
        domain ?? Domain,
        Start,
        [new FleetMachine("storage", ["192.0.2.10"], ["bootstrap"], [], [new FleetEndpoint("web", ["web.home.arpa"], "server")])],
        [new FleetDnsRecord("storage.home.arpa", "A", "192.0.2.10"), new FleetDnsRecord("web.home.arpa", "CNAME", "storage.home.arpa")],
        [],
        RootCrl: null,
        Pem.Encode("CERTIFICATE", Root.Certificate.RawData));

    public byte[] Signed(long version, string? domain = null) =>
        FleetStateSigner.Encode(FleetStateSigner.Sign(State(version, domain), Key, Certificate));

    /// <summary>
    /// A certificate for a fresh key issued by <paramref name="issuer"/> (null: self-signed) with the given
    /// extended key usages, valid from notBefore to notAfter.
    /// </summary>
    public static (X509Certificate2 Certificate, ECDsa Key) Forge(CertificateAuthority? issuer, string[] usages, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=kith home.arpa, CN=kith fleet-state publisher", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        }

        if (issuer is null)
        {
            return (request.CreateSelfSigned(notBefore, notAfter), key);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuer.SubjectKeyIdentifier));
        using var issued = request.Create(issuer.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa((ECDsa)issuer.Key), notBefore, notAfter, SerialNumber.New());
        return (X509CertificateLoader.LoadCertificate(issued.RawData), key);
    }

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
        Root.Dispose();
    }
}
