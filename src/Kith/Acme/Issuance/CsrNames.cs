using System.Net;

namespace Kith.Acme.Issuance;

/// <summary>
/// Matches a CSR's names with its order (RFC 8555 §7.4: the CSR must name exactly the order's
/// identifiers): its subjectAltName entries, taken as a set, must be the order's identifiers (DNS names
/// compared without regard to case, "*.x" only as the order has it, the same name twice tolerated), and a
/// subject CN, when present, one of those names.
/// </summary>
internal static class CsrNames
{
    /// <summary>Null with the names to certify, or why the CSR's names do not fit the order.</summary>
    public static string? Match(
        CsrParts parts,
        IReadOnlyList<AcmeIdentifier> order,
        out List<string> dnsNames,
        out List<IPAddress> ipAddresses)
    {
        dnsNames = [];
        ipAddresses = [];
        if (parts.SubjectAltNames is not { } altNames)
        {
            return parts.CommonNames.Count > 0
                ? "the CSR names its identifier only in the subject CN; list every identifier of the order in a subjectAltName extension"
                : "the CSR has no subjectAltName extension; list the order's identifiers in one";
        }

        var orderDns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var orderIps = new List<IPAddress>();
        foreach (var identifier in order)
        {
            if (identifier.Type == AcmeIdentifier.Ip && IPAddress.TryParse(identifier.Value, out var address))
            {
                orderIps.Add(address);
            }
            else if (identifier.Type == AcmeIdentifier.Dns)
            {
                orderDns.TryAdd(identifier.Value, identifier.Value);
            }
        }

        foreach (var altName in altNames)
        {
            if (altName.Dns is { } dns)
            {
                if (!orderDns.TryGetValue(dns, out var spelling))
                {
                    return $"the CSR's subjectAltName names '{dns}', which the order does not; request exactly the order's identifiers ({Listed(order)})";
                }

                if (!dnsNames.Contains(spelling, StringComparer.Ordinal))
                {
                    dnsNames.Add(spelling);
                }
            }
            else
            {
                var address = new IPAddress(altName.Ip!);
                if (!orderIps.Contains(address))
                {
                    return $"the CSR's subjectAltName names the address {address}, which the order does not; request exactly the order's identifiers ({Listed(order)})";
                }

                if (!ipAddresses.Contains(address))
                {
                    ipAddresses.Add(address);
                }
            }
        }

        foreach (var identifier in order)
        {
            var present = identifier.Type == AcmeIdentifier.Dns
                ? dnsNames.Contains(identifier.Value, StringComparer.OrdinalIgnoreCase)
                : IPAddress.TryParse(identifier.Value, out var address) && ipAddresses.Contains(address);
            if (!present)
            {
                return $"the CSR's subjectAltName lacks '{identifier.Value}', which the order names; request exactly the order's identifiers ({Listed(order)})";
            }
        }

        for (var i = 0; i < parts.CommonNames.Count; i++)
        {
            var commonName = parts.CommonNames[i];
            var index = dnsNames.FindIndex(n => string.Equals(n, commonName, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                if (i == 0)
                {
                    // The certificate's CN is its first DNS name: keep the one the client put in the subject.
                    var name = dnsNames[index];
                    dnsNames.RemoveAt(index);
                    dnsNames.Insert(0, name);
                }

                continue;
            }

            if (!(IPAddress.TryParse(commonName, out var address) && address.ToString() == commonName && ipAddresses.Contains(address)))
            {
                return $"the CSR's subject CN '{commonName}' is not one of its subjectAltName entries; leave the CN out or make it one of them";
            }
        }

        return null;
    }

    private static string Listed(IReadOnlyList<AcmeIdentifier> order) => string.Join(", ", order.Select(i => i.Value));
}
