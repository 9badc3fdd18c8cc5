using System.Security.Cryptography.X509Certificates;

namespace Kith.Doctor;

/// <summary>What the served certificate says, and how it stands against the kith Root.</summary>
/// <param name="DnsNames">Its subjectAltName DNS names.</param>
/// <param name="SelfSigned">Subject and issuer are the same and it verifies with its own key.</param>
/// <param name="ChainsToRoot">It verifies up to the kith Root through the intermediates the server sent.</param>
/// <param name="ChainProblem">Why it does not chain, in X509Chain's words; null when it does.</param>
/// <param name="IssuerNotAfter">The end of the Host CA the server sent, when it sent one.</param>
/// <param name="IntermediatesSent">The server sent more than the leaf.</param>
public sealed record CertificateFacts(
    IReadOnlyList<string> DnsNames,
    string Subject,
    string Issuer,
    string Serial,
    bool SelfSigned,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool ChainsToRoot,
    string? ChainProblem,
    string? IssuerSubject,
    DateTimeOffset? IssuerNotAfter,
    bool IntermediatesSent)
{
    /// <summary>The point at which the issuing agent renews: <paramref name="renewAt"/> of the lifetime (ca.renew_at).</summary>
    public DateTimeOffset RenewalPoint(double renewAt) => NotBefore + ((NotAfter - NotBefore) * renewAt);

    /// <summary>Reads <paramref name="chain"/> (leaf first, as sent) and verifies it against <paramref name="root"/>.</summary>
    public static CertificateFacts Of(IReadOnlyList<X509Certificate2> chain, X509Certificate2 root)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(root);
        var leaf = chain[0];
        var (chains, problem) = Verify(leaf, chain.Skip(1), root);
        var issuer = chain.Skip(1).FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData));
        return new CertificateFacts(
            ReadDnsNames(leaf),
            leaf.Subject,
            leaf.Issuer,
            leaf.SerialNumber.ToLowerInvariant(),
            IsSelfSigned(leaf),
            new DateTimeOffset(leaf.NotBefore.ToUniversalTime()),
            new DateTimeOffset(leaf.NotAfter.ToUniversalTime()),
            chains,
            problem,
            issuer?.Subject,
            issuer is null ? null : new DateTimeOffset(issuer.NotAfter.ToUniversalTime()),
            chain.Count > 1);
    }

    /// <summary>
    /// Trust only: time validity is the expiry check's (an expired leaf from the Root is "expired", not
    /// "untrusted"); revocation is the OCSP check's.
    /// </summary>
    private static (bool Chains, string? Problem) Verify(X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (chain.Build(leaf))
        {
            return (true, null);
        }

        var statuses = chain.ChainStatus
            .Where(s => s.Status is not (X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NoError))
            .Select(s => s.StatusInformation.Trim())
            .Where(s => s.Length > 0)
            .Distinct();
        return (false, string.Join("; ", statuses));
    }

    private static bool IsSelfSigned(X509Certificate2 certificate)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllFlags;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate);
    }

    private static List<string> ReadDnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
        }

        return names;
    }
}
