using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Kith.Inventory;
using Kith.Pki;

namespace Kith.Acme;

/// <summary>
/// Decides which identifiers a new order may name (RFC 8555 §7.4, RFC 8738 for "ip"), before any
/// challenge is offered: each must be well-formed and inside the names this machine's Host CA may
/// certify. The name checks are the issuance policy's own (<see cref="IssuancePolicy.DnsNameProblem"/>,
/// <see cref="IssuancePolicy.AddressProblem"/>), so an order is never accepted that signing would refuse.
/// </summary>
public sealed class OrderIdentifierPolicy
{
    /// <summary>The most identifiers one order may name by default.</summary>
    public const int DefaultMaxIdentifiers = 100;

    private readonly NameConstraints? constraints;

    /// <param name="hostCa">This machine's Host CA certificate; its nameConstraints bound every order.</param>
    /// <param name="allowWildcard">Whether "*.name" identifiers are acceptable.</param>
    /// <param name="maxIdentifiers">The most identifiers one order may name.</param>
    public OrderIdentifierPolicy(X509Certificate2 hostCa, bool allowWildcard = true, int maxIdentifiers = DefaultMaxIdentifiers)
    {
        ArgumentNullException.ThrowIfNull(hostCa);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIdentifiers, 1);
        constraints = NameConstraints.FromCertificate(hostCa);
        AllowWildcard = allowWildcard;
        MaxIdentifiers = maxIdentifiers;
    }

    public bool AllowWildcard { get; }

    public int MaxIdentifiers { get; }

    /// <summary>
    /// Null when every identifier is acceptable. Otherwise the problem to answer newOrder with: the
    /// refusal of the one identifier at fault (also as its subproblem), or a compound problem with one
    /// subproblem per refused identifier.
    /// </summary>
    public AcmeProblem? Check(IReadOnlyList<AcmeIdentifier> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        if (identifiers.Count == 0)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the order names no identifiers; name at least one");
        }

        if (identifiers.Count > MaxIdentifiers)
        {
            return new AcmeProblem(
                AcmeErrorType.RejectedIdentifier,
                $"the order names {identifiers.Count} identifiers; at most {MaxIdentifiers} are allowed in one order");
        }

        var refused = new List<AcmeProblem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var identifier in identifiers)
        {
            var problem = Check(identifier);
            if (problem is null && !seen.Add(identifier.ToString()))
            {
                problem = new AcmeProblem(AcmeErrorType.RejectedIdentifier, $"'{identifier.Value}' is listed twice in the order", identifier);
            }

            if (problem is not null)
            {
                refused.Add(problem);
            }
        }

        return refused.Count switch
        {
            0 => null,
            1 => refused[0] with { Identifier = null, Subproblems = refused },
            _ => new AcmeProblem(
                AcmeErrorType.Compound,
                $"{refused.Count} of the order's {identifiers.Count} identifiers are refused: " + string.Join("; ", refused.Select(p => p.Detail)),
                Subproblems: refused),
        };
    }

    /// <summary>Null when this one identifier is acceptable, else why not (as a problem naming it).</summary>
    public AcmeProblem? Check(AcmeIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Type is not (AcmeIdentifier.Dns or AcmeIdentifier.Ip))
        {
            return new AcmeProblem(
                AcmeErrorType.UnsupportedIdentifier,
                $"identifier type '{identifier.Type}' is not supported; this server issues for types 'dns' and 'ip'",
                identifier);
        }

        var value = identifier.Value ?? string.Empty;
        var reason = identifier.Type == AcmeIdentifier.Dns ? DnsProblem(value) : IpProblem(value);
        return reason is null ? null : new AcmeProblem(AcmeErrorType.RejectedIdentifier, reason, identifier);
    }

    private string? DnsProblem(string value)
    {
        if (!DnsName.TryNormalize(value, out var normalized, out var error, AllowWildcard))
        {
            return $"'{value}' is not a valid DNS name: {error}";
        }

        if (normalized != value)
        {
            // The certificate must carry exactly the identifiers of the order, so ask for the one spelling it will hold.
            return $"'{value}' is not in normal form; order '{normalized}' instead";
        }

        return IssuancePolicy.DnsNameProblem(constraints, value, AllowWildcard) is { } problem
            ? problem + (value.StartsWith("*.", StringComparison.Ordinal) ? " (a wildcard must lie below a permitted name)" : string.Empty)
            : null;
    }

    private string? IpProblem(string value)
    {
        if (!IPAddress.TryParse(value, out var address) || value.Contains('%', StringComparison.Ordinal))
        {
            return $"'{value}' is not an IP address";
        }

        // RFC 8738 §3: IPv4 in dotted-decimal, IPv6 in the RFC 5952 text form; no other spelling of the same address.
        var canonical = address.ToString();
        if (canonical != value || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return $"'{value}' is not in the standard text form of an IP address; order '{canonical}' instead";
        }

        return IssuancePolicy.AddressProblem(constraints, address);
    }
}
