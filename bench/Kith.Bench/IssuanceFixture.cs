using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;

namespace Kith.Bench;

/// <summary>
/// A Root CA and one name-constrained Host CA built through kith's own code (as the integration tests do),
/// plus the leaf request both the kith and the bare CertificateRequest paths certify.
/// </summary>
internal sealed class IssuanceFixture : IDisposable
{
    public const string LeafName = "music.home.arpa";
    public const string CrlUrl = "http://storage.home.arpa:8580/crl/storage.crl";
    public const string OcspUrl = "http://storage.home.arpa:8580/ocsp";

    public IssuanceFixture()
    {
        var now = DateTimeOffset.UtcNow;
        var (rootCertificate, rootKey) = RootCa.Create("home.arpa", KeyAlgorithm.EcdsaP256, TimeSpan.FromDays(3650), now);
        Root = new CertificateAuthority("root", rootCertificate, rootKey);
        HostKey = (ECDsa)Keys.Create(KeyAlgorithm.EcdsaP256);
        var constraints = new NameConstraints(["music.home.arpa", "storage.home.arpa"], [IPAddress.Parse("100.64.0.10")]);
        var spki = HostCa.ReadSigningRequest(HostCa.CreateSigningRequest("storage", HostKey), "bench.csr");
        var hostCertificate = HostCa.Sign(Root, "storage", "home.arpa", spki, constraints, now - TimeSpan.FromMinutes(5), now + TimeSpan.FromDays(365), SerialNumber.New());
        Host = new CertificateAuthority("storage", hostCertificate, HostKey, parentKeys: [Root.SubjectPublicKeyInfo], crlUrl: CrlUrl, ocspUrl: OcspUrl);
        LeafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        LeafSpki = LeafKey.ExportSubjectPublicKeyInfo();
        HostSignatureGenerator = X509SignatureGenerator.CreateForECDsa(HostKey);
    }

    public CertificateAuthority Root { get; }

    public CertificateAuthority Host { get; }

    public ECDsa HostKey { get; }

    /// <summary>The leaf key the sign-only benchmarks certify again and again.</summary>
    public ECDsa LeafKey { get; }

    public byte[] LeafSpki { get; }

    public X509SignatureGenerator HostSignatureGenerator { get; }

    /// <summary>A 7-day server certificate for <see cref="LeafName"/>, starting now (policy allows ±1 h).</summary>
    public static LeafRequest Request(ReadOnlyMemory<byte> spki)
    {
        var now = DateTimeOffset.UtcNow;
        return new LeafRequest([LeafName], [], CertificateUsage.Server, spki, now - TimeSpan.FromMinutes(1), now + TimeSpan.FromDays(7));
    }

    /// <summary>
    /// The bare .NET way: a CertificateRequest with the same extensions kith writes (basic constraints,
    /// key usage, EKU, SKI, AKI, CRL DP, AIA, SAN), signed by the Host CA and exported as PEM.
    /// </summary>
    public string BareIssuePem(ECDsa leafKey)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(LeafName);
        var request = new CertificateRequest(subject.Build(), leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(Host.SubjectKeyIdentifier));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CrlUrl]));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([OcspUrl], null));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(LeafName);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(Host.Certificate.SubjectName, HostSignatureGenerator, now - TimeSpan.FromMinutes(1), now + TimeSpan.FromDays(7), SerialNumber.New());
        return certificate.ExportCertificatePem();
    }

    public void Dispose()
    {
        LeafKey.Dispose();
        Host.Dispose();
        Root.Dispose();
    }
}
