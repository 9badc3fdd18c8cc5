using System.Net;

namespace Kith.Pki;

/// <summary>
/// The checks every leaf passes before a signature exists. Each refusal names the field at fault.
/// </summary>
public static class IssuancePolicy
{
    /// <summary>How far not-before may stray from now: enough for clock skew, too little to backdate.</summary>
    public static readonly TimeSpan MaxNotBeforeSkew = TimeSpan.FromHours(1);

    public static void Check(CertificateAuthority issuer, LeafRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(request);
        CheckNames(issuer, request);
        CheckValidity(issuer, request, now);
        CheckKey(issuer, request);
    }

    private static void CheckNames(CertificateAuthority issuer, LeafRequest request)
    {
        if (request.DnsNames.Count == 0)
        {
            throw Refuse(issuer, "names", "at least one DNS name is required");
        }

        for (var i = 0; i < request.DnsNames.Count; i++)
        {
            var name = request.DnsNames[i];
            var problem = DnsNameProblem(issuer.Constraints, name, request.AllowWildcard);
            if (problem is not null)
            {
                throw Refuse(issuer, $"names[{i}]", problem);
            }

            for (var j = 0; j < i; j++)
            {
                if (request.DnsNames[j] == name)
                {
                    throw Refuse(issuer, $"names[{i}]", $"'{name}' is listed twice");
                }
            }
        }

        if (request.CommonName is { } commonName && !request.DnsNames.Contains(commonName))
        {
            throw Refuse(issuer, "commonName", $"'{commonName}' is not one of the certificate's DNS names");
        }

        for (var i = 0; i < request.IpAddresses.Count; i++)
        {
            var problem = AddressProblem(issuer.Constraints, request.IpAddresses[i]);
            if (problem is not null)
            {
                throw Refuse(issuer, $"ipAddresses[{i}]", problem);
            }
        }
    }

    /// <summary>
    /// Why a CA with <paramref name="constraints"/> may not certify the DNS name, or null when it may: the
    /// form check of <see cref="HostName"/> and the CA's name constraints. Other front doors (ACME)
    /// ask this before a request reaches signing, so they can never accept what signing refuses.
    /// </summary>
    public static string? DnsNameProblem(NameConstraints? constraints, string name, bool allowWildcard)
    {
        ArgumentNullException.ThrowIfNull(name);
        var problem = HostName.Problem(name, allowWildcard);
        if (problem is not null)
        {
            return $"'{name}': {problem}";
        }

        return constraints is not null && !constraints.Permits(name)
            ? $"'{name}' is outside the names this CA may certify ({string.Join(", ", constraints.PermittedDnsNames)})"
            : null;
    }

    /// <summary>Why a CA with <paramref name="constraints"/> may not certify the address, or null when it may.</summary>
    public static string? AddressProblem(NameConstraints? constraints, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (constraints is null || constraints.Permits(address))
        {
            return null;
        }

        var allowed = constraints.PermittedAddresses.Count == 0 ? "none" : string.Join(", ", constraints.PermittedAddresses);
        return $"{address} is outside the addresses this CA may certify ({allowed})";
    }

    private static void CheckValidity(CertificateAuthority issuer, LeafRequest request, DateTimeOffset now)
    {
        if (request.NotBefore < now - MaxNotBeforeSkew || request.NotBefore > now + MaxNotBeforeSkew)
        {
            throw Refuse(issuer, "notBefore", $"{request.NotBefore:u} is more than {MaxNotBeforeSkew.TotalHours:0} h from now ({now:u})");
        }

        if (request.NotAfter <= request.NotBefore)
        {
            throw Refuse(issuer, "notAfter", $"{request.NotAfter:u} is not after notBefore {request.NotBefore:u}");
        }

        if (request.NotBefore < issuer.NotBefore || request.NotAfter > issuer.NotAfter)
        {
            throw Refuse(issuer, "notAfter", $"validity {request.NotBefore:u} – {request.NotAfter:u} reaches outside the CA's own ({issuer.NotBefore:u} – {issuer.NotAfter:u}); renew the CA first");
        }
    }

    private static void CheckKey(CertificateAuthority issuer, LeafRequest request)
    {
        var problem = PublicKeyCheck.Problem(request.SubjectPublicKeyInfo);
        if (problem is not null)
        {
            throw Refuse(issuer, "publicKey", problem);
        }

        if (issuer.IsCaKey(request.SubjectPublicKeyInfo.Span))
        {
            throw Refuse(issuer, "publicKey", "is a CA's own key; a leaf needs a key of its own");
        }
    }

    private static PolicyViolationException Refuse(CertificateAuthority issuer, string field, string reason) =>
        new(issuer.Name, field, reason);
}
