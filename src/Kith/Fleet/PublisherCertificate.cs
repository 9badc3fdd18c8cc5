using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;

namespace Kith.Fleet;

/// <summary>
/// The fleet-state publisher: an ECDSA P-256 key the Root certifies for one purpose, signing the fleet
/// state (CA:FALSE, digitalSignature, and kith's own extended key usage).
/// </summary>
public static class PublisherCertificate
{
    /// <summary>kith's fleet-state publisher EKU: an OID under the UUID arc (ITU-T X.667), documented in docs/fleet-state.md.</summary>
    public const string ExtendedKeyUsage = "2.25.205371929348119097527398742797892023932";

    public const string CommonName = "kith fleet-state publisher";

    public static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    /// <summary>Renewed once less than this is left (when the Root is open anyway).</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(60);

    /// <summary>A new publisher key and its certificate, signed by <paramref name="root"/>; never outlives the Root.</summary>
    public static (X509Certificate2 Certificate, ECDsa Key) Create(CertificateAuthority root, string domain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddOrganizationName($"kith {domain}");
            subject.AddCommonName(CommonName);
            var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ExtendedKeyUsage)], critical: false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(root.SubjectKeyIdentifier));
            var notAfter = now + Validity < root.NotAfter ? now + Validity : root.NotAfter;
            using var generated = request.Create(
                root.Certificate.SubjectName,
                Requests.SignatureGenerator(root.Key),
                now - CertificateValidity.Backdate,
                notAfter,
                SerialNumber.New());
            return (X509CertificateLoader.LoadCertificate(generated.RawData), key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>True when the certificate carries kith's publisher EKU.</summary>
    public static bool HasPublisherUsage(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
            {
                foreach (var oid in usage.EnhancedKeyUsages)
                {
                    if (oid.Value == ExtendedKeyUsage)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
