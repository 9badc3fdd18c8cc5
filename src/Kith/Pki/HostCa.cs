using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>
/// Host CAs: the key and CSR are made where the Host CA will live (<see cref="CreateSigningRequest"/>);
/// the Root signs the CSR (<see cref="Sign"/>) with pathLen 0 and the machine's name constraints.
/// </summary>
public static class HostCa
{
    public static string SubjectCommonName(string machine) => $"kith Host CA {machine}";

    /// <summary>A PEM PKCS#10 request for a Host CA key, made on the machine that holds the key.</summary>
    public static string CreateSigningRequest(string machine, AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(SubjectCommonName(machine));
        return Pem.WithNewline(Requests.Create(subject.Build(), key).CreateSigningRequestPem());
    }

    /// <summary>
    /// Verifies the CSR's self-signature and returns its SubjectPublicKeyInfo. Nothing else of the CSR
    /// is used: whatever extensions it asks for are ignored.
    /// </summary>
    public static byte[] ReadSigningRequest(string pem, string source)
    {
        try
        {
            var request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
            var spki = request.PublicKey.ExportSubjectPublicKeyInfo();
            // Load again with signature validation: the first pass only tells us the key to check with.
            _ = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            return spki;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new KithException($"{source}: not a valid certificate signing request ({e.Message.TrimEnd('.')})");
        }
    }

    /// <summary>Signs a Host CA certificate. Policy runs first; a refusal signs nothing.</summary>
    /// <param name="rootCrlUrl">Where the Root CRL that covers this certificate is published (a CRL distribution point), or null for none.</param>
    public static X509Certificate2 Sign(
        CertificateAuthority root,
        string machine,
        string domain,
        byte[] subjectPublicKeyInfo,
        NameConstraints? constraints,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        byte[] serial,
        string? rootCrlUrl = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(serial);
        var labelProblem = HostName.LabelProblem(machine);
        if (labelProblem is not null)
        {
            throw new PolicyViolationException(root.Name, "machine", $"'{machine}' {labelProblem}");
        }

        var keyProblem = PublicKeyCheck.Problem(subjectPublicKeyInfo);
        if (keyProblem is not null)
        {
            throw new PolicyViolationException(root.Name, "publicKey", keyProblem);
        }

        if (root.IsCaKey(subjectPublicKeyInfo))
        {
            throw new PolicyViolationException(root.Name, "publicKey", "is the Root's own key");
        }

        if (notBefore < root.NotBefore || notAfter > root.NotAfter || notAfter <= notBefore)
        {
            throw new PolicyViolationException(root.Name, "notAfter", $"validity {notBefore:u} – {notAfter:u} must lie inside the Root's ({root.NotBefore:u} – {root.NotAfter:u}); renew the Root first");
        }

        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName($"kith {domain}");
        subject.AddCommonName(SubjectCommonName(machine));
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var request = root.Key is RSA
            ? new CertificateRequest(subject.Build(), publicKey, root.Hash, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject.Build(), publicKey, root.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(CertificateAuthority.SubjectKeyIdentifierOf(subjectPublicKeyInfo), critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(root.SubjectKeyIdentifier));
        if (constraints is not null)
        {
            request.CertificateExtensions.Add(constraints.ToExtension());
        }

        if (rootCrlUrl is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([rootCrlUrl]));
        }

        using var generated = request.Create(root.Certificate.SubjectName, Requests.SignatureGenerator(root.Key), notBefore, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(generated.RawData);
    }
}
