using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>What a person asks of a certificate, read from it.</summary>
public sealed record CertificateDescription(
    string Subject,
    string Issuer,
    string SerialHex,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Key,
    bool IsCa,
    int? PathLength,
    NameConstraints? Constraints,
    IReadOnlyList<string> ExtendedKeyUsages,
    string Sha256)
{
    public static CertificateDescription Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var dns = new List<string>();
        var ips = new List<string>();
        if (certificate.Extensions["2.5.29.17"] is X509SubjectAlternativeNameExtension san)
        {
            dns.AddRange(san.EnumerateDnsNames());
            ips.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
        }

        var basic = certificate.Extensions["2.5.29.19"] as X509BasicConstraintsExtension;
        var eku = certificate.Extensions["2.5.29.37"] as X509EnhancedKeyUsageExtension;
        return new CertificateDescription(
            certificate.Subject,
            certificate.Issuer,
            certificate.SerialNumber.ToLowerInvariant(),
            dns,
            ips,
            certificate.NotBefore.ToUniversalTime(),
            certificate.NotAfter.ToUniversalTime(),
            KeyText(certificate),
            basic?.CertificateAuthority ?? false,
            basic is { CertificateAuthority: true, HasPathLengthConstraint: true } ? basic.PathLengthConstraint : null,
            NameConstraints.FromCertificate(certificate),
            eku is null ? [] : [.. eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.FriendlyName ?? o.Value ?? "?")],
            Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)));
    }

    private static string KeyText(X509Certificate2 certificate)
    {
        using var ec = certificate.GetECDsaPublicKey();
        if (ec is not null)
        {
            return $"ECDSA P-{ec.KeySize}";
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null ? $"RSA {rsa.KeySize}" : certificate.PublicKey.Oid.FriendlyName ?? "unknown";
    }
}

/// <summary>Verifies a chain against the kith Root as the only trust anchor (name constraints included).</summary>
public static class ChainCheck
{
    /// <summary>Returns null when the chain is trusted, else what is wrong.</summary>
    public static string? Problem(X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates, X509Certificate2 root, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        }

        if (chain.Build(leaf))
        {
            return null;
        }

        var statuses = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        return string.Join("; ", statuses);
    }
}
