using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Doctor;

/// <summary>The checks that judge the served certificate: chain to the Root, name match, expiry.</summary>
public static class CertificateChecks
{
    public static CheckResult Chain(CertificateFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.ChainsToRoot)
        {
            return CheckResult.Ok(DoctorCheck.Chain, $"issued by {facts.Issuer}, chains to the kith Root");
        }

        var what = facts.SelfSigned ? "self-signed" : $"issued by {facts.Issuer}";
        return CheckResult.Fail(DoctorCheck.Chain, $"{what}: does not chain to the kith Root ({facts.ChainProblem})");
    }

    /// <summary>RFC 6125 matching of the subjectAltName DNS names (a wildcard covers one left-most label); the CN is not used.</summary>
    public static CheckResult Name(X509Certificate2 leaf, CertificateFacts facts, string name)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(facts);
        var names = facts.DnsNames.Count == 0 ? "no DNS names" : string.Join(", ", facts.DnsNames);
        return leaf.MatchesHostname(name, allowWildcards: true, allowCommonName: false)
            ? CheckResult.Ok(DoctorCheck.Name, $"{name} is among {names}")
            : CheckResult.Fail(DoctorCheck.Name, $"{name} is not among {names}");
    }

    /// <summary>Fail when expired or not yet valid (or its Host CA has expired), warn when past the renewal point.</summary>
    public static CheckResult Expiry(CertificateFacts facts, double renewAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (now >= facts.NotAfter)
        {
            return CheckResult.Fail(DoctorCheck.Expiry, $"expired {Date(facts.NotAfter)}");
        }

        if (now < facts.NotBefore)
        {
            return CheckResult.Fail(DoctorCheck.Expiry, $"not valid before {Date(facts.NotBefore)}");
        }

        if (facts.IssuerNotAfter is { } issuerEnd && now >= issuerEnd)
        {
            return CheckResult.Fail(DoctorCheck.Expiry, $"its issuer {facts.IssuerSubject} expired {Date(issuerEnd)}");
        }

        var renewal = facts.RenewalPoint(renewAt);
        return now >= renewal
            ? CheckResult.Warn(DoctorCheck.Expiry, $"valid until {Date(facts.NotAfter)}, past its renewal point {Date(renewal)}")
            : CheckResult.Ok(DoctorCheck.Expiry, $"valid until {Date(facts.NotAfter)} (renewal from {Date(renewal)})");
    }

    public static CheckResult Alpn(TlsHandshake handshake)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        return handshake.Alpn switch
        {
            "h2" => CheckResult.Ok(DoctorCheck.Alpn, "h2"),
            null => CheckResult.Warn(DoctorCheck.Alpn, "the server chose no protocol for h2 or http/1.1 (no HTTP/2)"),
            var other => CheckResult.Warn(DoctorCheck.Alpn, $"{other}, not h2 (no HTTP/2)"),
        };
    }

    public static string Date(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
