using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;

namespace Kith.IntegrationTests.Support;

/// <summary>Signs a leaf with the Host CA key while bypassing kith's policy, as an attacker holding the key could.</summary>
internal static class ForgedLeaf
{
    public static string Sign(CertificateAuthority host, AsymmetricAlgorithm hostKey, string commonName, string san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        var (type, value) = (san[..san.IndexOf(':', StringComparison.Ordinal)], san[(san.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        switch (type)
        {
            case "DNS": names.AddDnsName(value); break;
            case "IP": names.AddIpAddress(System.Net.IPAddress.Parse(value)); break;
            case "URI": names.AddUri(new Uri(value)); break;
            case "email": names.AddEmailAddress(value); break;
            default: throw new ArgumentException(san, nameof(san));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(host.SubjectKeyIdentifier));
        var now = DateTimeOffset.UtcNow;
        using var leaf = request.Create(host.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa((ECDsa)hostKey), now.AddMinutes(-1), now.AddDays(1), SerialNumber.New());
        return Pem.Encode("CERTIFICATE", leaf.RawData);
    }
}
